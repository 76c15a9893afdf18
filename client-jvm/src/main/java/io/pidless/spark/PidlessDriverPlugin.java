package io.pidless.spark;

import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;

/**
 * Driver side of {@link PidlessPlugin}: listens to the scheduler's events through a
 * {@link DriverMetricsListener} and flushes what it recorded when the application stops. With
 * {@code spark.pidless.metricsSystem=true} it also reports the driver's metrics system.
 */
final class PidlessDriverPlugin implements DriverPlugin {
  private PidlessConf conf;
  private RegistryReporter metricsSystem;

  @Override
  public Map<String, String> init(SparkContext sc, PluginContext ctx) {
    conf = new PidlessConf(sc.getConf());
    if (conf.accumulators || conf.jobMetrics) {
      sc.addSparkListener(new DriverMetricsListener(PidlessSpark.client(conf), conf));
    }
    if (conf.metricsSystem) {
      metricsSystem = RegistryReporter.forCurrentApp(MetricsSystemRegistry.of(sc.env().metricsSystem()),
          conf.metricsSystemPeriod);
      metricsSystem.start();
    }
    return Map.of();
  }

  @Override
  public void shutdown() {
    if (metricsSystem != null) {
      metricsSystem.stop();
    }
    if (conf != null) {
      PidlessSpark.client(conf).flush(conf.shutdownTimeout);
    }
  }
}
