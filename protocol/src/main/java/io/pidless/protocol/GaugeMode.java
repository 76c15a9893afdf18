package io.pidless.protocol;

/**
 * How the aggregator merges one gauge written by many processes. The names are prometheus_client's
 * multiprocess vocabulary; the {@code live*} modes forget a writer when its connection closes, which
 * is what {@code mark_process_dead} does by hand there.
 */
public enum GaugeMode {
  /** Deltas from {@code inc}/{@code dec}, summed and kept. */
  SUM(1, false),
  /** Sum of each open writer's current value. */
  LIVESUM(2, true),
  /** Largest current value among open writers. */
  LIVEMAX(3, true),
  /** Smallest current value among open writers. */
  LIVEMIN(4, true),
  /** Largest value ever set. */
  MAX(5, false),
  /** Smallest value ever set. */
  MIN(6, false),
  /** The value set most recently. */
  LAST(7, false);

  private final int code;
  private final boolean live;

  GaugeMode(int code, boolean live) {
    this.code = code;
    this.live = live;
  }

  public int code() {
    return code;
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
}
