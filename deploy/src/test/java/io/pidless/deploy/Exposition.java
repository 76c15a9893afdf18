package io.pidless.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Prometheus text-format (0.0.4) scrape, parsed into samples: name, labels, value.
 *
 * <pre>{@code
 * Exposition e = Exposition.parse("pidless_series 3.0\n");
 * double series = e.value("pidless_series", Map.of());
 * }</pre>
 */
final class Exposition {
  /** One sample line. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;

  private Exposition(List<Sample> samples) {
    this.samples = samples;
  }

  static Exposition parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int nameEnd = brace < 0 ? line.indexOf(' ') : brace;
      Map<String, String> labels = new TreeMap<>();
      int i = brace < 0 ? nameEnd : parseLabels(line, brace + 1, labels);
      String[] rest = line.substring(i).trim().split(" ");
      samples.add(new Sample(line.substring(0, nameEnd), labels,
          Double.parseDouble(rest[0].replace("+Inf", "Infinity").replace("-Inf", "-Infinity"))));
    }
    return new Exposition(samples);
  }

  /** Reads {@code a="x",b="y"}} from {@code i} into {@code labels}; returns the index after the brace. */
  private static int parseLabels(String line, int i, Map<String, String> labels) {
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String label = line.substring(i, eq);
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (char c = line.charAt(j); c != '"'; c = line.charAt(++j)) {
        if (c == '\\') {
          char next = line.charAt(++j);
          value.append(next == 'n' ? '\n' : next);
        } else {
          value.append(c);
        }
      }
      labels.put(label, value.toString());
      i = line.charAt(j + 1) == ',' ? j + 2 : j + 1;
    }
    return i + 1;
  }

  List<Sample> samples() {
    return samples;
  }

  Set<String> names() {
    Set<String> names = new TreeSet<>();
    samples.forEach(s -> names.add(s.name()));
    return names;
  }

  /** The value of the sample with exactly these labels; fails when there is none. */
  double value(String name, Map<String, String> labels) {
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().equals(new TreeMap<>(labels))) {
        return s.value();
      }
    }
    throw new AssertionError("no sample " + name + labels + " in the scrape");
  }

  /** All samples of one name, by their labels. */
  Map<Map<String, String>, Double> series(String name) {
    Map<Map<String, String>, Double> out = new LinkedHashMap<>();
    samples.stream().filter(s -> s.name().equals(name)).forEach(s -> out.put(s.labels(), s.value()));
    return out;
  }
}
