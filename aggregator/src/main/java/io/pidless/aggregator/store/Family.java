package io.pidless.aggregator.store;

import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.util.Arrays;
import java.util.List;

/**
 * All series of one metric name. The first definer fixes its type, gauge mode, label names and
 * histogram bounds; a later definition that differs is a {@code TYPE_CLASH}.
 */
public final class Family {
  private static final Series[] NO_SERIES = new Series[0];

  private final String name;
  private final String help;
  private final MetricType type;
  private final GaugeMode mode;
  private final String[] labelNames;
  private final double[] bounds;
  /**
   * The series of this family in the store, in {@code members[0..size)}; each knows its slot, so
   * removal is a swap with the last. Guarded by the store's family lock. A scrape walks these arrays
   * instead of the cache: a family's series come out together, and without Caffeine's per-entry
   * liveness and expiry checks.
   */
  private Series[] members = NO_SERIES;
  private int size;

  Family(String name, String help, MetricType type, GaugeMode mode, String[] labelNames, double[] bounds) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.mode = mode;
    this.labelNames = labelNames;
    this.bounds = bounds;
  }

  void add(Series s) {
    if (size == members.length) {
      members = Arrays.copyOf(members, Math.max(4, size * 2));
    }
    s.slot = size;
    members[size++] = s;
  }

  /** Removes {@code s}; true when it was the last. */
  boolean remove(Series s) {
    Series last = members[--size];
    members[s.slot] = last;
    last.slot = s.slot;
    members[size] = null;
    return size == 0;
  }

  /** Lists this family's series in {@code out}. */
  void copyMembers(SeriesCopy out) {
    out.list(members, size);
  }

  /** Exposition name: for counters, without the {@code _total} suffix. */
  public String name() {
    return name;
  }

  public String help() {
    return help;
  }

  public MetricType type() {
    return type;
  }

  /** The gauge mode, or null for other types. */
  public GaugeMode mode() {
    return mode;
  }

  /** True for the gauge modes whose value belongs to the writers' open connections. */
  public boolean live() {
    return mode != null && mode.isLive();
  }

  public List<String> labelNames() {
    return List.of(labelNames);
  }

  String[] labelNameArray() {
    return labelNames;
  }

  /** Finite histogram bucket bounds, ascending; empty for other types. */
  public double[] bounds() {
    return bounds.clone();
  }

  int bucketCount() {
    return bounds.length + 1;
  }

  /** Every sample name this family writes in the exposition; no other family may write them. */
  List<String> exposedNames() {
    return switch (type) {
      case COUNTER -> List.of(name, name + "_total", name + "_created");
      case GAUGE -> List.of(name);
      case HISTOGRAM -> List.of(name, name + "_bucket", name + "_count", name + "_sum", name + "_created");
      case SUMMARY -> List.of(name, name + "_count", name + "_sum", name + "_created");
    };
  }

  String describe() {
    return lower(type) + " " + name;
  }

  /** Null when {@code other} may share this family, else why not. */
  String clashWith(Family other) {
    if (type != other.type) {
      return "is a " + lower(type) + ", not a " + lower(other.type);
    }
    if (mode != other.mode) {
      return "is a gauge in mode " + mode.label() + ", not " + other.mode.label();
    }
    if (!Arrays.equals(labelNames, other.labelNames)) {
      return "has label names " + Arrays.toString(labelNames) + ", not " + Arrays.toString(other.labelNames);
    }
    if (!Arrays.equals(bounds, other.bounds)) {
      return "has bucket bounds " + Arrays.toString(bounds) + ", not " + Arrays.toString(other.bounds);
    }
    return null;
  }

  private static String lower(MetricType t) {
    return t.name().toLowerCase(java.util.Locale.ROOT);
  }
}
