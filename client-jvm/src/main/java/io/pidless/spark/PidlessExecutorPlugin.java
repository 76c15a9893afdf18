package io.pidless.spark;

import io.pidless.client.PidlessClient;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;

/**
 * Executor side of {@link PidlessPlugin}: after each task attempt, on the task's own thread (where
 * Spark has just finalised its metrics), adds them to the {@link TaskMetricsExporter} counters.
 * Spark has already unset {@link TaskContext} by then, so {@link #onTaskStart()} keeps it per thread.
 * With {@code spark.pidless.metricsSystem=true} it also reports the executor's metrics system.
 */
final class PidlessExecutorPlugin implements ExecutorPlugin {
  private PidlessConf conf;
  private PidlessClient client;
  private TaskMetricsExporter exporter;
  private RegistryReporter metricsSystem;
  private final ThreadLocal<TaskContext> running = new ThreadLocal<>();

  @Override
  public void init(PluginContext ctx, Map<String, String> extraConf) {
    conf = new PidlessConf(ctx.conf());
    client = PidlessSpark.client(conf);
    if (conf.taskMetrics) {
      exporter = new TaskMetricsExporter(client, conf);
    }
    // in local mode the driver's plugin already reports this JVM's one metrics system
    if (conf.metricsSystem && !"driver".equals(ctx.executorID())) {
      metricsSystem = RegistryReporter.forCurrentApp(
          MetricsSystemRegistry.of(SparkEnv.get().metricsSystem()), conf.metricsSystemPeriod);
      metricsSystem.start();
    }
  }

  @Override
  public void onTaskStart() {
    running.set(TaskContext.get());
  }

  @Override
  public void onTaskSucceeded() {
    export(TaskMetricsExporter.SUCCEEDED);
  }

  @Override
  public void onTaskFailed(TaskFailedReason reason) {
    export(TaskMetricsExporter.FAILED);
  }

  private void export(String outcome) {
    TaskContext task = running.get();
    running.remove();
    if (exporter != null && task != null) {
      exporter.record(task.taskMetrics(), outcome);
    }
  }

  @Override
  public void shutdown() {
    if (metricsSystem != null) {
      metricsSystem.stop();
    }
    if (client != null) {
      client.flush(conf.shutdownTimeout);
    }
  }
}
