package io.pidless.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.Success$;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

/**
 * Real Spark (local[2], two attempts per task) with {@link PidlessPlugin} and the accumulators against
 * the real aggregator process: what /metrics gained during a job equals what Spark itself counted.
 */
class SparkIT {
  private static final String APP = "app_name=\"pidless-it\"";
  private static AggregatorProcess aggregator;
  private static JavaSparkContext jsc;
  private static SparkTotals spark;
  private static Path tmp;

  @BeforeAll
  static void startSpark() throws Exception {
    aggregator = AggregatorProcess.startOnTempSocket();
    tmp = Files.createTempDirectory("pidless-spark");
    SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName("pidless-it")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.default.parallelism", "2")
        .set("spark.sql.shuffle.partitions", "2")
        .set("spark.plugins", PidlessPlugin.class.getName())
        .set("spark.pidless.socket", aggregator.socket().toString())
        .set("spark.pidless.flushInterval", "200ms");
    jsc = new JavaSparkContext(conf);
    spark = new SparkTotals();
    jsc.sc().addSparkListener(spark);
  }

  @AfterAll
  static void stopSpark() throws Exception {
    if (jsc != null) {
      jsc.stop();
    }
    aggregator.close();
    try (java.util.stream.Stream<Path> files = Files.walk(tmp)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void accumulatorsAndTaskMetricsEqualSparksOwnValues() throws Exception {
    Path input = tmp.resolve("in.txt");
    Files.write(input, IntStream.range(0, 1000).mapToObj(i -> "line-" + i).collect(Collectors.toList()));
    PidlessAccumulator records = PidlessAccumulator.register(jsc.sc(), "it_records", "Records parsed.");
    PidlessDoubleAccumulator weight = PidlessDoubleAccumulator.register(jsc.sc(), "it_weight", "Weight parsed.");
    Scrape before = settledScrape();
    spark.reset();

    jsc.textFile(input.toString(), 2)
        .mapToPair(line -> {
          records.add(1);
          weight.add(0.25);
          return new Tuple2<>(line.length() % 3, 1);
        })
        .reduceByKey(Integer::sum, 2)
        .saveAsTextFile(tmp.resolve("out").toString());
    Scrape after = settledScrape();

    assertEquals(1000L, records.value());
    assertEquals(250.0, weight.value());
    assertEquals(records.sum(), delta(before, after, "it_records_total{" + APP + "}"));
    assertEquals(weight.sum(), delta(before, after, "it_weight_total{" + APP + "}"));
    assertEquals(records.sum(), delta(before, after, "spark_accumulator_total{accumulator=\"it_records\"," + APP + "}"));
    assertEquals(weight.sum(), delta(before, after, "spark_accumulator_total{accumulator=\"it_weight\"," + APP + "}"));

    assertEquals(1000, spark.recordsRead, "the job reads every input line");
    assertEquals(spark.recordsRead, delta(before, after, "spark_task_records_read_total{" + APP + "}"));
    assertEquals(spark.bytesRead, delta(before, after, "spark_task_bytes_read_total{" + APP + "}"));
    assertEquals(spark.recordsWritten, delta(before, after, "spark_task_records_written_total{" + APP + "}"));
    assertEquals(spark.bytesWritten, delta(before, after, "spark_task_bytes_written_total{" + APP + "}"));
    assertEquals(spark.shuffleRecordsRead, delta(before, after, "spark_task_shuffle_records_read_total{" + APP + "}"));
    assertEquals(spark.shuffleBytesRead, delta(before, after, "spark_task_shuffle_bytes_read_total{" + APP + "}"));
    assertEquals(spark.shuffleRecordsWritten, delta(before, after, "spark_task_shuffle_records_written_total{" + APP + "}"));
    assertEquals(spark.shuffleBytesWritten, delta(before, after, "spark_task_shuffle_bytes_written_total{" + APP + "}"));
    assertTrue(spark.shuffleRecordsWritten > 0 && spark.bytesWritten > 0, "the job shuffles and writes");
    assertEquals(spark.succeeded, delta(before, after, "spark_tasks_total{" + APP + ",outcome=\"succeeded\"}"));
    assertEquals(spark.succeeded, delta(before, after, "spark_task_run_seconds_count{" + APP + "}"));
    // seconds on the wire: compare in Spark's own unit, milliseconds, after rounding the f64 sums
    assertEquals(spark.runMs, Math.round(1e3 * delta(before, after, "spark_task_run_seconds_sum{" + APP + "}")));
    assertEquals(spark.gcMs, Math.round(1e3 * delta(before, after, "spark_task_gc_seconds_total{" + APP + "}")));
    assertEquals(spark.cpuNs, Math.round(1e9 * delta(before, after, "spark_task_cpu_seconds_total{" + APP + "}")));
    assertEquals(spark.jobsSucceeded, delta(before, after, "spark_jobs_total{" + APP + ",outcome=\"succeeded\"}"));
    assertEquals(spark.stagesSucceeded, delta(before, after, "spark_stages_total{" + APP + ",outcome=\"succeeded\"}"));
  }

  @Test
  void liveCounterAlsoCountsAFailedAttemptWhileTheDriverValueDoesNot() throws Exception {
    PidlessAccumulator retried = PidlessAccumulator.register(jsc.sc(), "it_retried", "Records, retried.");
    Scrape before = settledScrape();
    spark.reset();

    jsc.parallelize(IntStream.range(0, 100).boxed().collect(Collectors.toList()), 2).foreach(x -> {
      retried.add(1);
      TaskContext task = TaskContext.get();
      if (task.partitionId() == 0 && task.attemptNumber() == 0 && x == 49) {
        throw new IllegalStateException("planned failure of the first attempt, after its 50 adds");
      }
    });
    Scrape after = settledScrape();

    assertEquals(100L, retried.value());
    assertEquals(150.0, delta(before, after, "it_retried_total{" + APP + "}"), "100 + the failed attempt's 50");
    assertEquals(100.0, delta(before, after, "spark_accumulator_total{accumulator=\"it_retried\"," + APP + "}"));
    assertEquals(1, spark.failed);
    assertEquals(spark.failed, delta(before, after, "spark_tasks_total{" + APP + ",outcome=\"failed\"}"));
    assertEquals(spark.succeeded, delta(before, after, "spark_tasks_total{" + APP + ",outcome=\"succeeded\"}"));
  }

  /** Waits until the driver's listeners saw every event, flushes, and scrapes. */
  private static Scrape settledScrape() throws Exception {
    jsc.sc().listenerBus().waitUntilEmpty();
    assertTrue(PidlessSpark.client(jsc.getConf()).flush(Duration.ofSeconds(10)), "flush was not acknowledged");
    return aggregator.scrape();
  }

  private static double delta(Scrape before, Scrape after, String series) {
    return after.value(series) - (before.has(series) ? before.value(series) : 0);
  }

  /** Spark's own view of the tasks, jobs and stages since the last {@link #reset()}. */
  static final class SparkTotals extends SparkListener {
    long recordsRead, bytesRead, recordsWritten, bytesWritten;
    long shuffleRecordsRead, shuffleBytesRead, shuffleRecordsWritten, shuffleBytesWritten;
    long runMs, gcMs, cpuNs, succeeded, failed, jobsSucceeded, stagesSucceeded;
    final List<String> failures = new ArrayList<>();

    synchronized void reset() {
      recordsRead = bytesRead = recordsWritten = bytesWritten = 0;
      shuffleRecordsRead = shuffleBytesRead = shuffleRecordsWritten = shuffleBytesWritten = 0;
      runMs = gcMs = cpuNs = succeeded = failed = jobsSucceeded = stagesSucceeded = 0;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.reason() != Success$.MODULE$) {
        failed++;
        return;
      }
      succeeded++;
      TaskMetrics m = end.taskMetrics();
      recordsRead += m.inputMetrics().recordsRead();
      bytesRead += m.inputMetrics().bytesRead();
      recordsWritten += m.outputMetrics().recordsWritten();
      bytesWritten += m.outputMetrics().bytesWritten();
      shuffleRecordsRead += m.shuffleReadMetrics().recordsRead();
      shuffleBytesRead += m.shuffleReadMetrics().totalBytesRead();
      shuffleRecordsWritten += m.shuffleWriteMetrics().recordsWritten();
      shuffleBytesWritten += m.shuffleWriteMetrics().bytesWritten();
      runMs += m.executorRunTime();
      gcMs += m.jvmGCTime();
      cpuNs += m.executorCpuTime();
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
      jobsSucceeded += end.jobResult().toString().equals("JobSucceeded") ? 1 : 0;
    }

    @Override
    public synchronized void onStageCompleted(SparkListenerStageCompleted done) {
      stagesSucceeded += done.stageInfo().failureReason().isEmpty() ? 1 : 0;
    }
  }
}
