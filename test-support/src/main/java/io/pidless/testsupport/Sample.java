package io.pidless.testsupport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample line of the Prometheus text format (0.0.4) or OpenMetrics:
 * {@code name{a="x",b="y"} value [timestamp]}. {@code series} is the line's series exactly as exposed
 * (labels in the aggregator's order: sorted by name, {@code le} and {@code quantile} last), less the
 * trailing comma simpleclient writes before the closing brace; {@code labels} holds the values unescaped.
 *
 * <pre>{@code
 * Sample s = Sample.parse("jobs_total{stage=\"parse\",} 3.0");
 * // s.series() is jobs_total{stage="parse"}, s.name() jobs_total, s.labels() {stage=parse}, s.value() 3.0
 * }</pre>
 */
public record Sample(String series, String name, Map<String, String> labels, double value) {

  /** Parses one sample line (not a comment); a malformed one is an {@link IllegalArgumentException} naming it. */
  public static Sample parse(String line) {
    try {
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      if (space < 0) {
        throw new IllegalArgumentException("Invalid sample line, no value: " + line);
      }
      if (brace < 0 || space < brace) {
        String name = line.substring(0, space);
        return new Sample(name, name, Map.of(), value(line, line.substring(space + 1)));
      }
      Map<String, String> labels = new LinkedHashMap<>();
      int close = labels(line, brace + 1, labels);
      String raw = line.substring(brace + 1, close);
      String series = line.substring(0, brace) + "{" + (raw.endsWith(",") ? raw.substring(0, raw.length() - 1) : raw) + "}";
      return new Sample(series, line.substring(0, brace), Collections.unmodifiableMap(labels),
          value(line, line.substring(close + 1)));
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("Invalid sample line: " + line, e);
    }
  }

  /** Reads {@code a="x",b="y"} from {@code i} into {@code labels}; returns the index of the closing brace. */
  private static int labels(String line, int i, Map<String, String> labels) {
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      if (eq < 0 || line.charAt(eq + 1) != '"') {
        throw new IllegalArgumentException("Invalid label in sample line: " + line);
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (char c = line.charAt(j); c != '"'; c = line.charAt(++j)) {
        if (c == '\\') {
          char escaped = line.charAt(++j);
          value.append(escaped == 'n' ? '\n' : escaped);
        } else {
          value.append(c);
        }
      }
      labels.put(line.substring(i, eq), value.toString());
      i = line.charAt(j + 1) == ',' ? j + 2 : j + 1;
    }
    return i;
  }

  /** The value of {@code rest}, {@code value [timestamp]}. */
  private static double value(String line, String rest) {
    String[] fields = rest.trim().split(" +");
    if (fields.length > 2) {
      throw new IllegalArgumentException("Invalid sample line, more than a value and a timestamp: " + line);
    }
    return switch (fields[0]) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(fields[0]);
    };
  }
}
