package io.pidless.spark;

import io.pidless.client.Counter;
import io.pidless.client.PidlessClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.JobSucceeded$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Turns driver-side scheduler events into counters: each task's updates of named user accumulators
 * ({@code spark_accumulator_total{accumulator="..."}}, the very updates Spark merged into the driver
 * value, so the two agree exactly) and job and stage outcomes. Spark's internal task metrics and SQL
 * metrics are left out; the executor side exports task metrics.
 */
final class DriverMetricsListener extends SparkListener {
  private static final System.Logger LOG = System.getLogger("io.pidless.spark");
  private static final String SQL_METRIC = "sql";

  private final PidlessConf conf;
  private final Counter accumulators;
  private final Counter jobs;
  private final Counter stages;
  private final Set<String> skipped = ConcurrentHashMap.newKeySet();

  DriverMetricsListener(PidlessClient client, PidlessConf conf) {
    this.conf = conf;
    accumulators = Counter.build("spark_accumulator_total", "Updates of named accumulators merged by the driver.")
        .labelNames(conf.labelNamesWith("accumulator")).register(client);
    jobs = Counter.build("spark_jobs_total", "Jobs by outcome.").labelNames(conf.labelNamesWith("outcome"))
        .register(client);
    stages = Counter.build("spark_stages_total", "Stages by outcome.").labelNames(conf.labelNamesWith("outcome"))
        .register(client);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (!conf.accumulators || end.taskInfo() == null) {
      return;
    }
    for (AccumulableInfo info : CollectionConverters.asJava(end.taskInfo().accumulables())) {
      if (info.name().isEmpty() || info.internal() || info.name().get().startsWith("internal.")
          || (info.metadata().isDefined() && SQL_METRIC.equals(info.metadata().get()))
          || info.update().isEmpty()) {
        continue;
      }
      String name = info.name().get();
      Object update = info.update().get();
      double v = update instanceof Number n ? n.doubleValue() : Double.NaN;
      if (v >= 0 && v != Double.POSITIVE_INFINITY) {
        accumulators.labels(conf.labelValuesWith(name)).inc(v);
      } else if (skipped.add(name)) {
        LOG.log(System.Logger.Level.INFO, "pidless: accumulator " + name + " is not exported: its update "
            + update + " is not a non-negative number");
      }
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    if (conf.jobMetrics) {
      jobs.labels(conf.labelValuesWith(end.jobResult() == JobSucceeded$.MODULE$ ? "succeeded" : "failed")).inc();
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted done) {
    if (conf.jobMetrics) {
      stages.labels(conf.labelValuesWith(done.stageInfo().failureReason().isDefined() ? "failed" : "succeeded")).inc();
    }
  }
}
