package io.pidless.spark;

import com.codahale.metrics.MetricRegistry;
import java.lang.reflect.Field;
import org.apache.spark.metrics.MetricsSystem;

/**
 * The registry behind Spark's {@link MetricsSystem}, which Spark keeps private: a sink receives it
 * in its constructor, a plugin can only reach it through the field. Spark 4.0 names it
 * {@code registry}; another version that renames it is an error that says to use the sink.
 */
final class MetricsSystemRegistry {
  private MetricsSystemRegistry() {}

  static MetricRegistry of(MetricsSystem system) {
    try {
      Field f = MetricsSystem.class.getDeclaredField("registry");
      f.setAccessible(true);
      return (MetricRegistry) f.get(system);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(PidlessConf.METRICS_SYSTEM + "=true cannot read the registry of this "
          + "Spark version's MetricsSystem (" + e + "); configure org.apache.spark.metrics.sink.PidlessSink "
          + "with spark.metrics.conf.*.sink.pidless.class instead", e);
    }
  }
}
