package org.apache.spark.metrics.sink;

import com.codahale.metrics.MetricRegistry;
import io.pidless.spark.RegistryReporter;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.spark.metrics.MetricsSystem;

/**
 * A Spark metrics-system sink that sends every metric of the driver's or an executor's registry to
 * the node's pidless aggregator: counters as exact deltas, gauges as values merged across the
 * executors of the node, names without application or executor ids (see
 * {@code io.pidless.spark.MetricRegistryExporter}). It lives in Spark's sink package because Spark's
 * {@code Sink} is {@code private[spark]}; Spark builds it by reflection with (Properties,
 * MetricRegistry). The jar must be on the driver's and executors' classpath before their metrics
 * systems start ({@code spark.driver.extraClassPath}/{@code spark.executor.extraClassPath}, or
 * Spark's {@code jars/}); with {@code --jars} only, use {@code PidlessPlugin} with
 * {@code spark.pidless.metricsSystem=true} instead.
 *
 * <pre>{@code
 * --conf spark.metrics.conf.*.sink.pidless.class=org.apache.spark.metrics.sink.PidlessSink
 * --conf spark.metrics.conf.*.sink.pidless.period=10 --conf spark.metrics.conf.*.sink.pidless.unit=seconds
 * --conf spark.pidless.socket=/run/pidless/pidless.sock
 * }</pre>
 */
public class PidlessSink implements Sink {
  static final String PERIOD = "period";
  static final String UNIT = "unit";

  private final RegistryReporter reporter;

  public PidlessSink(Properties properties, MetricRegistry registry) {
    int period;
    TimeUnit unit;
    try {
      period = Integer.parseInt(properties.getProperty(PERIOD, "10").trim());
      unit = TimeUnit.valueOf(properties.getProperty(UNIT, "seconds").trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PidlessSink: sink.pidless.period must be a whole number and "
          + "sink.pidless.unit a TimeUnit such as seconds, got period=" + properties.getProperty(PERIOD)
          + " unit=" + properties.getProperty(UNIT) + " (spark.metrics.conf.*.sink.pidless.*)", e);
    }
    MetricsSystem.checkMinimalPollingPeriod(unit, period);
    reporter = RegistryReporter.forCurrentApp(registry, Duration.ofMillis(unit.toMillis(period)));
  }

  @Override
  public void start() {
    reporter.start();
  }

  @Override
  public void stop() {
    reporter.stop();
  }

  @Override
  public void report() {
    reporter.report();
  }
}
