package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * GETs the aggregator's /metrics in text format 0.0.4, uncompressed, over one keep-alive HTTP/1.1
 * connection, and times each full response.
 *
 * <pre>{@code
 * MetricsClient m = new MetricsClient(agg.metricsUri());
 * MetricsClient.Timed t = m.get();           // t.nanos(), t.body()
 * double series = m.selfMetric("pidless_series");
 * }</pre>
 */
final class MetricsClient {
  /** One full response and how long it took, from sending the request to its last byte. */
  record Timed(long nanos, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The Accept header Prometheus scrapes with. */
  static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final URI uri;

  MetricsClient(URI uri) {
    this.uri = uri;
  }

  /** The whole exposition: every merged series plus the aggregator's own metrics. */
  Timed get() throws IOException {
    return get(uri);
  }

  /**
   * The whole exposition as Prometheus asks for it (OpenMetrics preferred, gzip), unzipped: the
   * aggregator renders and compresses it as it does for a real scrape.
   */
  String getAsPrometheus() throws IOException {
    HttpRequest req = HttpRequest.newBuilder(uri)
        .header("Accept", PROMETHEUS_ACCEPT)
        .header("Accept-Encoding", "gzip")
        .timeout(Duration.ofSeconds(120))
        .GET()
        .build();
    try {
      HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (resp.statusCode() != 200) {
        throw new IOException("GET " + uri + " answered " + resp.statusCode());
      }
      boolean gzip = resp.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
      byte[] body = gzip ? new GZIPInputStream(new ByteArrayInputStream(resp.body())).readAllBytes() : resp.body();
      return new String(body, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during GET " + uri, e);
    }
  }

  /** Every sample of the whole exposition. */
  Scrape samples() throws IOException {
    return Scrape.parse(get().text());
  }

  /**
   * One of the aggregator's own unlabelled metrics, fetched with a {@code name[]} filter so that a
   * store of a million series is not rendered just to read one number.
   */
  double selfMetric(String name) throws IOException {
    Scrape s = Scrape.parse(get(URI.create(uri + "?name%5B%5D=" + name)).text());
    if (!s.has(name)) {
      throw new IOException(uri + " has no sample " + name + "; got " + s.samples().keySet());
    }
    return s.value(name);
  }

  private Timed get(URI target) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(target)
        .header("Accept", "text/plain; version=0.0.4")
        .timeout(Duration.ofSeconds(120))
        .GET()
        .build();
    long start = System.nanoTime();
    try {
      HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      long nanos = System.nanoTime() - start;
      if (resp.statusCode() != 200) {
        throw new IOException("GET " + target + " answered " + resp.statusCode());
      }
      return new Timed(nanos, resp.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during GET " + target, e);
    }
  }
}
