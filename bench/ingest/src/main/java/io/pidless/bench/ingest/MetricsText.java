package io.pidless.bench.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Parses Prometheus text exposition 0.0.4 into sample key → value, where the key is the sample line
 * up to its value ({@code name{labels}}) as the aggregator wrote it, less a trailing comma in the labels.
 *
 * <pre>{@code
 * Map<String, Double> s = MetricsText.parse("# TYPE a_total counter\na_total{x=\"1\"} 3.0\n");
 * s.get("a_total{x=\"1\"}");   // 3.0
 * }</pre>
 */
final class MetricsText {
  private MetricsText() {}

  static Map<String, Double> parse(String body) {
    Map<String, Double> out = new HashMap<>();
    int pos = 0;
    while (pos < body.length()) {
      int eol = body.indexOf('\n', pos);
      if (eol < 0) {
        eol = body.length();
      }
      if (eol > pos && body.charAt(pos) != '#') {
        String line = body.substring(pos, eol);
        int space = line.lastIndexOf(' ');
        if (space < 0) {
          throw new IllegalStateException("the aggregator wrote a line that is not a sample: " + line);
        }
        out.put(canonical(line.substring(0, space)), value(line.substring(space + 1)));
      }
      pos = eol + 1;
    }
    return out;
  }

  /** Sum of the samples whose metric name (the key up to '{') is exactly {@code name}. */
  static double sum(Map<String, Double> samples, String name) {
    double total = 0;
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      String k = e.getKey();
      int brace = k.indexOf('{');
      if ((brace < 0 ? k : k.substring(0, brace)).equals(name)) {
        total += e.getValue();
      }
    }
    return total;
  }

  /** simpleclient writes {@code {a="1",}}; the key drops that trailing comma. */
  private static String canonical(String key) {
    return key.endsWith(",}") ? key.substring(0, key.length() - 2) + "}" : key;
  }

  private static double value(String s) {
    return switch (s) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }
}
