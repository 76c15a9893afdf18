package io.pidless.protocol;

/** Series types of protocol v1, with their DEFINE wire values. */
public enum MetricType {
  COUNTER(1),
  GAUGE(2),
  HISTOGRAM(3),
  SUMMARY(4);

  private final int code;

  MetricType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Returns the type for a wire value, or {@code null} for an unknown one. */
  public static MetricType fromCode(int code) {
    for (MetricType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
