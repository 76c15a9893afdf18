package io.pidless.aggregator;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * One real HTTP scrape of {@code /metrics}, parsed: sample lines become {@code name{a="1",b="2"} -> value}
 * with labels in the order the aggregator wrote them (sorted by name, {@code le} last).
 */
public final class Scrape {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String body;
  private final String contentType;
  private final Map<String, Double> samples = new TreeMap<>();

  private Scrape(String body, String contentType) {
    this.body = body;
    this.contentType = contentType;
    for (String line : body.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space).replace(",}", "}");
      samples.put(series, parseValue(line.substring(space + 1)));
    }
  }

  public static Scrape of(int port) throws IOException, InterruptedException {
    return of(port, null, false);
  }

  /** Scrapes with an optional Accept header, optionally asking for gzip. */
  public static Scrape of(int port, String accept, boolean gzip) throws IOException, InterruptedException {
    return of(port, "", accept, gzip);
  }

  /** Scrapes {@code /metrics?query}, e.g. {@code name[]=jobs_total}. */
  public static Scrape of(int port, String query, String accept, boolean gzip) throws IOException, InterruptedException {
    String url = "http://127.0.0.1:" + port + "/metrics" + (query.isEmpty() ? "" : "?" + query);
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url));
    if (accept != null) {
      req.header("Accept", accept);
    }
    if (gzip) {
      req.header("Accept-Encoding", "gzip");
    }
    HttpResponse<InputStream> resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() != 200) {
      throw new IOException("scrape answered HTTP " + resp.statusCode());
    }
    boolean zipped = resp.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
    if (gzip != zipped) {
      throw new AssertionError("asked for gzip=" + gzip + " but Content-Encoding says gzip=" + zipped);
    }
    try (InputStream in = zipped ? new GZIPInputStream(resp.body()) : resp.body()) {
      return new Scrape(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          resp.headers().firstValue("Content-Type").orElse(""));
    }
  }

  /** The value of one series, e.g. {@code jobs_total{stage="a"}}; fails when absent. */
  public double value(String series) {
    Double v = samples.get(series);
    if (v == null) {
      throw new AssertionError("series " + series + " not in scrape:\n" + body);
    }
    return v;
  }

  public boolean has(String series) {
    return samples.containsKey(series);
  }

  public Map<String, Double> samples() {
    return samples;
  }

  public String body() {
    return body;
  }

  public String contentType() {
    return contentType;
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }
}
