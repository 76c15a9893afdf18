package io.pidless.protocol;

/**
 * Prometheus name rules, shared by the aggregator (which enforces them) and the JVM client (which
 * checks them when a metric is built, so a bad name is a programming error found at once).
 *
 * <pre>{@code
 * Names.checkMetricName("etl_records_total");   // ok
 * Names.checkMetricName("etl-records");         // IllegalArgumentException: Invalid metric name: etl-records ...
 * }</pre>
 */
public final class Names {
  /**
   * Client metric names may not start with this: the aggregator's own metrics do (docs/PROTOCOL.md,
   * "DEFINE"). The aggregator rejects such a name; the JVM client refuses to build it.
   */
  public static final String RESERVED_PREFIX = "pidless_";

  private Names() {}

  public static boolean isValidMetricName(String name) {
    if (name.isEmpty() || !isMetricStart(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isMetricStart(c) && !isDigit(c)) {
        return false;
      }
    }
    return true;
  }

  /** True for a syntactically valid label name that is not reserved ({@code __} prefix). */
  public static boolean isValidLabelName(String name) {
    if (name.isEmpty() || !isLabelStart(name.charAt(0)) || name.startsWith("__")) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isLabelStart(c) && !isDigit(c)) {
        return false;
      }
    }
    return true;
  }

  /** The label name a type reserves for itself ({@code le}, {@code quantile}), or {@code null}. */
  public static String reservedLabel(MetricType type) {
    switch (type) {
      case HISTOGRAM:
        return "le";
      case SUMMARY:
        return "quantile";
      default:
        return null;
    }
  }

  public static void checkMetricName(String name) {
    if (!isValidMetricName(name)) {
      throw new IllegalArgumentException("Invalid metric name: " + name
          + " (must match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
  }

  public static void checkLabelName(String name, MetricType type) {
    if (!isValidLabelName(name)) {
      throw new IllegalArgumentException("Invalid label name: " + name
          + " (must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __)");
    }
    if (name.equals(reservedLabel(type))) {
      throw new IllegalArgumentException("Invalid label name: " + name + " is reserved for "
          + type.name().toLowerCase(java.util.Locale.ROOT) + " series");
    }
  }

  /** The family name of a metric: a counter's name without its {@code _total} suffix. */
  public static String familyName(String name, MetricType type) {
    if (type == MetricType.COUNTER && name.endsWith("_total") && name.length() > "_total".length()) {
      return name.substring(0, name.length() - "_total".length());
    }
    return name;
  }

  private static boolean isMetricStart(char c) {
    return isLabelStart(c) || c == ':';
  }

  private static boolean isLabelStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
