package io.pidless.spark;

import io.pidless.protocol.GaugeMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * How the aggregator merges each exported Spark gauge across the executors of one node. By default
 * {@code livesum}: memory, threads and tasks in use add up to the node's total, and an executor that
 * exits leaves it. Ratios ({@code *_usage}, e.g. {@code spark_jvm_heap_usage}) are {@code livemax},
 * the fullest live JVM. {@code spark.pidless.sink.gaugeMode.<mode>=<regex>} overrides this for the
 * Prometheus names the regex matches whole; the settings are tried in the order of
 * {@link GaugeMode}, before the defaults.
 *
 * <pre>{@code
 * --conf spark.pidless.sink.gaugeMode.max='spark_executor_metrics_.*_peak.*'
 * }</pre>
 */
final class GaugeModes {
  static final String PREFIX = "spark.pidless.sink.gaugeMode.";
  private static final List<Rule> DEFAULTS = List.of(new Rule(Pattern.compile(".*_usage"), GaugeMode.LIVEMAX));

  private final List<Rule> rules;

  private GaugeModes(List<Rule> rules) {
    this.rules = rules;
  }

  /** The modes {@code conf} sets, then the defaults; a bad mode or regex names the key. */
  static GaugeModes of(SparkConf conf) {
    List<Rule> configured = new ArrayList<>();
    for (Tuple2<String, String> kv : conf.getAllWithPrefix(PREFIX)) {
      GaugeMode mode = parseMode(kv._1());
      try {
        configured.add(new Rule(Pattern.compile(kv._2()), mode));
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(PREFIX + kv._1() + ": invalid regex '" + kv._2() + "': "
            + e.getDescription(), e);
      }
    }
    configured.sort((a, b) -> Integer.compare(a.mode.ordinal(), b.mode.ordinal()));
    configured.addAll(DEFAULTS);
    return new GaugeModes(configured);
  }

  /** The mode of the gauge exported as {@code name}. */
  GaugeMode modeOf(String name) {
    for (Rule r : rules) {
      if (r.pattern.matcher(name).matches()) {
        return r.mode;
      }
    }
    return GaugeMode.LIVESUM;
  }

  private static GaugeMode parseMode(String label) {
    List<String> known = new ArrayList<>();
    for (GaugeMode m : GaugeMode.values()) {
      if (m == GaugeMode.SUM) {
        continue;   // adds inc/dec changes: a Spark gauge reports a value, not a change
      }
      if (m.label().equals(label.toLowerCase(Locale.ROOT))) {
        return m;
      }
      known.add(m.label());
    }
    throw new IllegalArgumentException(PREFIX + label + ": unknown gauge mode '" + label + "'; choose from "
        + String.join(", ", known));
  }

  private record Rule(Pattern pattern, GaugeMode mode) {}
}
