package io.pidless.spark;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Exports Spark's own metrics to the node's pidless aggregator with no code change: executors send
 * task metrics after each task, the driver sends named accumulator updates and job/stage outcomes.
 * Series are labelled per application ({@code app_name} by default), never per executor.
 *
 * <pre>{@code
 * spark-submit --jars pidless-client-jvm.jar \
 *   --conf spark.plugins=io.pidless.spark.PidlessPlugin \
 *   --conf spark.pidless.socket=/run/pidless/pidless.sock app.jar
 * }</pre>
 */
public class PidlessPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return new PidlessDriverPlugin();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new PidlessExecutorPlugin();
  }
}
