package io.pidless.spark;

import io.pidless.client.PidlessClient;
import io.pidless.protocol.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The {@code spark.pidless.*} settings, read once from a {@link SparkConf} and checked, so a typo
 * fails the application at start with a message naming the key rather than exporting nothing.
 * The labels are deliberately per application, never per executor or pid: merging those away is
 * what pidless is for.
 */
final class PidlessConf {
  static final String SOCKET = "spark.pidless.socket";
  static final String FLUSH_INTERVAL = "spark.pidless.flushInterval";
  static final String SHUTDOWN_TIMEOUT = "spark.pidless.shutdownTimeout";
  static final String LABELS = "spark.pidless.labels";
  static final String CONSTANT_LABEL_PREFIX = "spark.pidless.label.";
  static final String TASK_METRICS = "spark.pidless.executor.taskMetrics";
  static final String ACCUMULATORS = "spark.pidless.driver.accumulators";
  static final String JOB_METRICS = "spark.pidless.driver.jobMetrics";
  static final String METRICS_SYSTEM = "spark.pidless.metricsSystem";
  static final String METRICS_SYSTEM_PERIOD = "spark.pidless.metricsSystem.period";
  static final String COUNTER_AS_GAUGE = "spark.pidless.sink.counterAsGauge";

  final Path socket;
  final Duration flushInterval;
  final Duration shutdownTimeout;
  final String[] labelNames;
  final String[] labelValues;
  final boolean taskMetrics;
  final boolean accumulators;
  final boolean jobMetrics;
  /** Whether {@link PidlessPlugin} exports the metrics system's registry (the sink's job, for --jars users). */
  final boolean metricsSystem;
  final Duration metricsSystemPeriod;
  /** Prometheus names of Dropwizard counters that go down, exported as gauges instead of deltas. */
  final Pattern counterAsGauge;

  PidlessConf(SparkConf conf) {
    String s = conf.get(SOCKET, "");
    socket = s.isBlank() ? PidlessClient.socketFromEnvironment() : Path.of(s);
    flushInterval = Duration.ofMillis(conf.getTimeAsMs(FLUSH_INTERVAL, "1s"));
    shutdownTimeout = Duration.ofMillis(conf.getTimeAsMs(SHUTDOWN_TIMEOUT, "5s"));
    taskMetrics = conf.getBoolean(TASK_METRICS, true);
    accumulators = conf.getBoolean(ACCUMULATORS, true);
    jobMetrics = conf.getBoolean(JOB_METRICS, true);
    metricsSystem = conf.getBoolean(METRICS_SYSTEM, false);
    metricsSystemPeriod = Duration.ofMillis(conf.getTimeAsMs(METRICS_SYSTEM_PERIOD, "10s"));
    if (metricsSystemPeriod.toMillis() < 1) {
      throw new IllegalArgumentException(METRICS_SYSTEM_PERIOD + " must be at least 1ms, got "
          + conf.get(METRICS_SYSTEM_PERIOD));
    }
    String asGauge = conf.get(COUNTER_AS_GAUGE, "");
    try {
      counterAsGauge = Pattern.compile(asGauge);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(COUNTER_AS_GAUGE + ": invalid regex '" + asGauge + "': "
          + e.getDescription(), e);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    for (String name : conf.get(LABELS, "app_name").split(",")) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      switch (n) {
        case "" -> { }
        case "app_name" -> labels.put(n, conf.get("spark.app.name", "unknown"));
        case "app_id" -> labels.put(n, conf.get("spark.app.id", "unknown"));
        default -> throw new IllegalArgumentException(LABELS + ": unknown label '" + name.trim()
            + "'; choose from app_name, app_id (labels per executor or pid are what pidless merges away;"
            + " add fixed labels with " + CONSTANT_LABEL_PREFIX + "NAME=VALUE)");
      }
    }
    for (Tuple2<String, String> kv : conf.getAllWithPrefix(CONSTANT_LABEL_PREFIX)) {
      if (!Names.isValidLabelName(kv._1())) {
        throw new IllegalArgumentException(CONSTANT_LABEL_PREFIX + kv._1() + ": invalid label name " + kv._1()
            + " (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)");
      }
      labels.put(kv._1(), kv._2());
    }
    labelNames = labels.keySet().toArray(new String[0]);
    labelValues = labels.values().toArray(new String[0]);
  }

  /** The configured label names followed by {@code extra}. */
  String[] labelNamesWith(String... extra) {
    return concat(labelNames, extra);
  }

  /** The configured label values followed by {@code extra}. */
  String[] labelValuesWith(String... extra) {
    return concat(labelValues, extra);
  }

  private static String[] concat(String[] a, String[] b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(new String[0]);
  }
}
