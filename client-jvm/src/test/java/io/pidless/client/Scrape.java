package io.pidless.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One parsed /metrics text (format 0.0.4): every sample line keyed by its series exactly as exposed,
 * e.g. {@code jobs_total{stage="parse"}} (the aggregator sorts labels by name; simpleclient's trailing comma before the closing brace is
 * dropped).
 */
public final class Scrape {
  private final Map<String, Double> samples;
  private final String text;

  private Scrape(Map<String, Double> samples, String text) {
    this.samples = samples;
    this.text = text;
  }

  static Scrape parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space).replace(",}", "}"), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(samples, text);
  }

  /** The value of one series; fails the test, showing samples of that metric, when it is absent. */
  public double value(String series) {
    Double v = samples.get(series);
    if (v == null) {
      String metric = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
      throw new AssertionError("no sample " + series + " in /metrics; samples of " + metric + ": "
          + samples.keySet().stream().filter(k -> k.startsWith(metric)).collect(Collectors.joining(", ")));
    }
    return v;
  }

  public boolean has(String series) {
    return samples.containsKey(series);
  }

  public String text() {
    return text;
  }
}
