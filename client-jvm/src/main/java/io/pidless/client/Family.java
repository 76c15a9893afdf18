package io.pidless.client;

import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Names;
import io.pidless.protocol.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * What every series of one metric shares and what a DEFINE frame carries besides label values. It is
 * checked when built, so a bad name is an exception at definition time rather than an aggregator
 * rejection found later in a log.
 */
final class Family {
  final String name;
  final String help;
  final MetricType type;
  final GaugeMode mode;
  final String[] labelNames;
  final double[] bounds;

  Family(String name, String help, MetricType type, GaugeMode mode, String[] labelNames, double[] bounds) {
    if (name == null) {
      throw new IllegalStateException("Name hasn't been set.");
    }
    Names.checkMetricName(name);
    if (name.startsWith(Names.RESERVED_PREFIX)) {
      throw new IllegalArgumentException("Invalid metric name: " + name + " (names starting with "
          + Names.RESERVED_PREFIX + " are reserved for the aggregator's own metrics)");
    }
    if (help == null) {
      throw new IllegalStateException("Help hasn't been set for metric " + name + ".");
    }
    if (help.getBytes(StandardCharsets.UTF_8).length > Protocol.MAX_HELP_BYTES) {
      throw new IllegalArgumentException("Help of metric " + name + " is longer than "
          + Protocol.MAX_HELP_BYTES + " bytes");
    }
    HashSet<String> seen = new HashSet<>();
    for (String l : labelNames) {
      Names.checkLabelName(l, type);
      if (!seen.add(l)) {
        throw new IllegalArgumentException("Invalid label name: " + l + " appears twice in metric " + name);
      }
    }
    this.name = name;
    this.help = help;
    this.type = type;
    this.mode = mode;
    this.labelNames = labelNames.clone();
    this.bounds = bounds;
  }

  /** The names two definitions clash on: the family name, and a counter's {@code _total} name. */
  List<String> exposedNames() {
    String family = Names.familyName(name, type);
    return type == MetricType.COUNTER ? List.of(family, family + "_total") : List.of(family);
  }

  boolean sameDefinition(Family o) {
    return name.equals(o.name) && help.equals(o.help) && type == o.type && mode == o.mode
        && Arrays.equals(labelNames, o.labelNames) && Arrays.equals(bounds, o.bounds);
  }

  @Override
  public String toString() {
    return type.name().toLowerCase(Locale.ROOT) + (mode == null ? "" : "(" + mode.label() + ")") + " "
        + name + Arrays.toString(labelNames) + (bounds == null ? "" : " buckets " + Arrays.toString(bounds));
  }
}
