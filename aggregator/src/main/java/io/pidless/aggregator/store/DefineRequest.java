package io.pidless.aggregator.store;

import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;

/**
 * A series definition as it came off the wire, not yet checked. {@code type} and {@code mode} are the
 * raw wire values; labels may be in any order; {@code bounds} is empty unless a histogram.
 * {@link DefinitionRules} checks it.
 */
public record DefineRequest(int type, int mode, String name, String help, String[] labelNames,
    String[] labelValues, double[] bounds) {

  /** The type {@code type} names; null for a code protocol v1 does not know. */
  public MetricType metricType() {
    return MetricType.fromCode(type);
  }

  /** The gauge mode {@code mode} names; null unless a gauge with a mode protocol v1 knows. */
  public GaugeMode gaugeMode() {
    return metricType() == MetricType.GAUGE ? GaugeMode.fromCode(mode) : null;
  }
}
