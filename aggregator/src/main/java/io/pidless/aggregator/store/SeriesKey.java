package io.pidless.aggregator.store;

import java.util.Arrays;

/**
 * A series' identity: metric name plus its label set, sorted by label name. There is deliberately no
 * room for a process id: two workers that define the same name and labels write the same series.
 */
public final class SeriesKey {
  private final String name;
  private final String[] labelNames;
  private final String[] labelValues;
  private final int hash;

  /** {@code labelNames} must already be sorted and {@code labelValues} in the same order. */
  SeriesKey(String name, String[] labelNames, String[] labelValues) {
    this.name = name;
    this.labelNames = labelNames;
    this.labelValues = labelValues;
    int h = mix(name.hashCode());
    for (String v : labelValues) {
      h = mix(h * 0x9E3779B1 + v.hashCode());
    }
    this.hash = h;
  }

  /**
   * Murmur3's finalizer. String hashes of short numeric values are nearly linear, so a plain
   * {@code 31 * h + v} makes {@code {a="1",b="10"}} and {@code {a="0",b="41"}} collide.
   */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }

  public String name() {
    return name;
  }

  public int labelCount() {
    return labelNames.length;
  }

  public String labelName(int i) {
    return labelNames[i];
  }

  public String labelValue(int i) {
    return labelValues[i];
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SeriesKey k)) {
      return false;
    }
    return hash == k.hash && name.equals(k.name) && Arrays.equals(labelValues, k.labelValues)
        && Arrays.equals(labelNames, k.labelNames);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append('{');
    for (int i = 0; i < labelNames.length; i++) {
      sb.append(i == 0 ? "" : ",").append(labelNames[i]).append("=\"").append(labelValues[i]).append('"');
    }
    return sb.append('}').toString();
  }
}
