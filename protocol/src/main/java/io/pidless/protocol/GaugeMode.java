package io.pidless.protocol;

/**
 * How the aggregator merges one gauge written by many processes. The names are prometheus_client's
 * multiprocess vocabulary; the {@code live*} modes forget a writer when its connection closes, which
 * is what {@code mark_process_dead} does by hand there.
 */
public enum GaugeMode {
  /** Deltas from {@code inc}/{@code dec}, summed and kept. */
  SUM(1, false, false),
  /** Sum of each open writer's current value. */
  LIVESUM(2, true, true),
  /** Largest current value among open writers. */
  LIVEMAX(3, true, true),
  /** Smallest current value among open writers. */
  LIVEMIN(4, true, true),
  /** Largest value ever set. */
  MAX(5, true, false),
  /** Smallest value ever set. */
  MIN(6, true, false),
  /** The value set most recently. */
  LAST(7, true, false);

  private final int code;
  private final boolean absolute;
  private final boolean live;

  GaugeMode(int code, boolean absolute, boolean live) {
    this.code = code;
    this.absolute = absolute;
    this.live = live;
  }

  public int code() {
    return code;
  }

  /** True when a delta carries a value to set rather than a change to add. */
  public boolean isAbsolute() {
    return absolute;
  }

  /** True when a writer's value is removed as its connection closes. */
  public boolean isLive() {
    return live;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Returns the mode for a wire value, or {@code null} for an unknown one (including 0). */
  public static GaugeMode fromCode(int code) {
    for (GaugeMode m : values()) {
      if (m.code == code) {
        return m;
      }
    }
    return null;
  }

  /** Parses a mode name such as {@code "livesum"}, case-insensitively. */
  public static GaugeMode fromLabel(String label) {
    for (GaugeMode m : values()) {
      if (m.label().equalsIgnoreCase(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException("Invalid gauge mode: " + label
        + " (expected one of sum, livesum, livemax, livemin, max, min, last)");
  }
}
