package io.pidless.spark;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Spark's own view of a metrics-system registry, read inside an executor task (or on the driver):
 * first {@code MetricsSystem.report()}, which makes {@code PidlessSink} poll and flush with ACK, then
 * every count in the registry. Executors of {@code local-cluster[2,1,1024]} run one task at a time,
 * so nothing counts between the two steps. Executors load it from the test classes directory.
 */
final class RegistryProbe implements FlatMapFunction<Iterator<Integer>, RegistryProbe.Snapshot> {

  /**
   * One JVM's registry: registered name to kind ({@code counter}, {@code meter}, {@code histogram},
   * {@code gauge}), the count of each that counts, and the value of each gauge that is a number.
   */
  record Snapshot(String executorId, Map<String, String> kinds, Map<String, Long> counts,
      Map<String, Double> gauges) implements Serializable {}

  @Override
  public Iterator<Snapshot> call(Iterator<Integer> ignored) {
    SparkEnv env = SparkEnv.get();
    env.metricsSystem().report();
    return List.of(snapshot(env.executorId(), MetricsSystemRegistry.of(env.metricsSystem()))).iterator();
  }

  static Snapshot snapshot(String executorId, MetricRegistry registry) {
    Map<String, String> kinds = new TreeMap<>();
    Map<String, Long> counts = new TreeMap<>();
    Map<String, Double> gauges = new TreeMap<>();
    for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
      if (e.getValue() instanceof Counting c) {
        kinds.put(e.getKey(), c instanceof com.codahale.metrics.Counter ? "counter"
            : c instanceof Meter ? "meter" : "histogram");
        counts.put(e.getKey(), c.getCount());
      } else {
        kinds.put(e.getKey(), "gauge");
        if (e.getValue() instanceof com.codahale.metrics.Gauge<?> g && g.getValue() instanceof Number n) {
          gauges.put(e.getKey(), n.doubleValue());
        }
      }
    }
    return new Snapshot(executorId, kinds, counts, gauges);
  }
}
