package io.pidless.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * One real HTTP scrape of the aggregator's {@code /metrics}, parsed into {@link Sample}s keyed by their
 * series exactly as exposed, e.g. {@code jobs_total{stage="parse"}}. A series exposed twice fails the
 * scrape, as it fails Prometheus.
 *
 * <pre>{@code
 * Scrape s = agg.scrape();
 * assertEquals(4.0, s.value("etl_records_total{stage=\"parse\"}"));
 * Scrape om = Scrape.of(agg.port(), "application/openmetrics-text; version=1.0.0", true);   // OpenMetrics, gzip
 * assertTrue(om.contentType().startsWith("application/openmetrics-text"));
 * }</pre>
 */
public final class Scrape {
  private final String body;
  private final String contentType;
  private final Map<String, Sample> samples = new LinkedHashMap<>();

  private Scrape(String body, String contentType) {
    this.body = body;
    this.contentType = contentType;
    for (String line : body.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Sample s = Sample.parse(line);
      if (samples.put(s.series(), s) != null) {
        throw new AssertionError("series " + s.series() + " exposed twice in one scrape");
      }
    }
  }

  /** Parses an exposition already fetched. */
  static Scrape parse(String body, String contentType) {
    return new Scrape(body, contentType);
  }

  /** Parses text already fetched, e.g. by a client that times its requests; its {@link #contentType} is empty. */
  public static Scrape parse(String body) {
    return new Scrape(body, "");
  }

  /** GET {@code /metrics} as a plain client does: no Accept header, no gzip. */
  public static Scrape of(int port) throws IOException, InterruptedException {
    return of(port, "", null, false);
  }

  /** GET {@code /metrics} with an Accept header ({@code null}: none), optionally asking for gzip. */
  public static Scrape of(int port, String accept, boolean gzip) throws IOException, InterruptedException {
    return of(port, "", accept, gzip);
  }

  /**
   * GET {@code /metrics?query}, e.g. {@code name[]=jobs_total}; fails unless it answers 200 and compressed
   * exactly when asked to.
   */
  public static Scrape of(int port, String query, String accept, boolean gzip) throws IOException, InterruptedException {
    Map<String, String> headers = new LinkedHashMap<>();
    if (accept != null) {
      headers.put("Accept", accept);
    }
    if (gzip) {
      headers.put("Accept-Encoding", "gzip");
    }
    HttpResponse<byte[]> resp = Http.get(port, "/metrics" + (query.isEmpty() ? "" : "?" + query), headers);
    boolean zipped = resp.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
    if (gzip != zipped) {
      throw new AssertionError("asked for gzip=" + gzip + " but Content-Encoding says gzip=" + zipped);
    }
    try (InputStream in = zipped ? new GZIPInputStream(new ByteArrayInputStream(resp.body()))
        : new ByteArrayInputStream(resp.body())) {
      return new Scrape(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          resp.headers().firstValue("Content-Type").orElse(""));
    }
  }

  /** The value of one series, e.g. {@code jobs_total{stage="a"}}; fails, showing that metric's samples, when absent. */
  public double value(String series) {
    Sample s = samples.get(series);
    if (s == null) {
      String metric = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
      throw new AssertionError("no sample " + series + " in /metrics; samples of " + metric + " (first 20): "
          + samples.keySet().stream().filter(k -> k.startsWith(metric)).limit(20).collect(Collectors.joining(", ")));
    }
    return s.value();
  }

  public boolean has(String series) {
    return samples.containsKey(series);
  }

  /** Every series and its value, in the order exposed. */
  public Map<String, Double> samples() {
    Map<String, Double> values = new LinkedHashMap<>();
    samples.forEach((series, s) -> values.put(series, s.value()));
    return Collections.unmodifiableMap(values);
  }

  /** The sample names exposed, e.g. {@code jobs_total} and {@code jobs_created}. */
  public Set<String> names() {
    Set<String> names = new TreeSet<>();
    samples.values().forEach(s -> names.add(s.name()));
    return names;
  }

  /** The samples of one name, by their labels. */
  public Map<Map<String, String>, Double> series(String name) {
    Map<Map<String, String>, Double> out = new LinkedHashMap<>();
    samples.values().stream().filter(s -> s.name().equals(name)).forEach(s -> out.put(s.labels(), s.value()));
    return out;
  }

  public String body() {
    return body;
  }

  /** The exposition, for a failure message: its first 4,000 characters. */
  @Override
  public String toString() {
    return body.length() <= 4000 ? body : body.substring(0, 4000) + "\n... (" + body.length() + " characters)";
  }

  /** The response's Content-Type; empty for an exposition parsed from text. */
  public String contentType() {
    return contentType;
  }
}
