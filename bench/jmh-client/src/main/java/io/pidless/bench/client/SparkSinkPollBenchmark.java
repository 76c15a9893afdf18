package io.pidless.bench.client;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import io.pidless.spark.MetricRegistryExporter;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.executor.ExecutorMetricsSource;
import org.apache.spark.executor.ExecutorSource;
import org.apache.spark.metrics.MetricsSystem;
import org.apache.spark.metrics.source.JVMCPUSource;
import org.apache.spark.metrics.source.JvmSource;
import org.apache.spark.metrics.source.Source;
import org.apache.spark.metrics.source.StaticSources;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One poll of {@code PidlessSink} ({@link MetricRegistryExporter#poll()}) on an executor's registry
 * with Spark 4.0's built-in executor sources (executor, ExecutorMetrics, JVMCPU, jvm, and the static
 * CodeGenerator and HiveExternalCatalog sources, registered under {@code <app id>.<executor id>.} as
 * MetricsSystem does), beside a walk of the same registry that only reads every value: the least
 * any sink must do. The client points at a socket where no aggregator listens; sending happens on
 * the flusher thread once per flush interval, not per poll. Goal (issue 11): at most 2x the walk.
 *
 * <p>Latest figures, commands and machine: docs/perf/spark-sink.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SparkSinkPollBenchmark {
  private ThreadPoolExecutor pool;
  private MetricRegistry registry;
  private MetricRegistryExporter exporter;
  private ExecutorSource executorSource;

  @Setup
  public void setUp() {
    SparkConf conf = new SparkConf(false).set("spark.app.id", "app-20261203000000-0001")
        .set("spark.app.name", "bench").set("spark.executor.id", "1")
        .set("spark.pidless.socket", "/tmp/pidless-bench-none/none.sock");
    registry = new MetricRegistry();
    pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(2);
    executorSource = new ExecutorSource(pool, "1", new String[] {"file", "hdfs"});
    register(executorSource);
    register(new JVMCPUSource());
    register(new JvmSource());
    ExecutorMetricsSource metrics = new ExecutorMetricsSource();
    metrics.register(MetricsSystem.createMetricsSystem("executor", conf));
    register(metrics);
    for (Source s : CollectionConverters.asJava(StaticSources.allSources())) {
      register(s);
    }
    exporter = MetricRegistryExporter.create(conf, registry);
    exporter.poll();   // defines every series once, as the sink's first poll does
    System.out.println("registry of " + registry.getMetrics().size() + " metrics");
  }

  private void register(Source source) {
    registry.register(MetricRegistry.name("app-20261203000000-0001", "1", source.sourceName()), source.metricRegistry());
  }

  @TearDown
  public void tearDown() {
    pool.shutdownNow();
  }

  /** Counters move between polls, as on a busy executor: one task's worth of executor counters. */
  private void oneTask() {
    executorSource.SUCCEEDED_TASKS().inc();
    executorSource.METRIC_CPU_TIME().inc(1_000_000);
    executorSource.METRIC_RUN_TIME().inc(3);
    executorSource.METRIC_INPUT_RECORDS_READ().inc(100);
  }

  @Benchmark
  public void sinkPoll() {
    oneTask();
    exporter.poll();
  }

  @Benchmark
  public void readEveryValue(Blackhole bh) {
    oneTask();
    for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
      Metric m = e.getValue();
      if (m instanceof Counting c) {
        bh.consume(c.getCount());
      } else if (m instanceof Gauge<?> g) {
        bh.consume(g.getValue());
      }
    }
  }
}
