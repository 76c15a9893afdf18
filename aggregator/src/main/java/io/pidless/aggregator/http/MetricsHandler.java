package io.pidless.aggregator.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.pidless.aggregator.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * {@code GET /metrics}: the merged series written directly by {@link SeriesTextWriter}, then the
 * aggregator's own and the JVM's metrics from the simpleclient registry, in the format the
 * {@code Accept} header asks for (text 0.0.4 or OpenMetrics), gzipped when allowed, filtered by
 * {@code name[]} query parameters as simpleclient's exporter does.
 */
final class MetricsHandler implements HttpHandler {
  private final SeriesStore store;
  private final CollectorRegistry registry;
  private final ScrapeTimer timer;
  /** Length of the last scrape's series text, to size the next one's buffer in one go. */
  private volatile int lastLength = 64 * 1024;

  MetricsHandler(SeriesStore store, CollectorRegistry registry, ScrapeTimer timer) {
    this.store = store;
    this.registry = registry;
    this.timer = timer;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      long start = System.nanoTime();
      String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
      boolean openMetrics = contentType.equals(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
      Set<String> names = names(exchange.getRequestURI().getRawQuery());
      TextBuffer series = new TextBuffer(lastLength + lastLength / 8);
      SeriesTextWriter.write(store.snapshot(), openMetrics, names, series);
      lastLength = series.length();
      ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
      Writer writer = new OutputStreamWriter(body, StandardCharsets.UTF_8);
      TextFormat.writeFormat(contentType, writer,
          names == null ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(names));
      writer.flush();
      timer.observe(System.nanoTime() - start);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      if (acceptsGzip(exchange)) {
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = new GZIPOutputStream(exchange.getResponseBody(), 64 * 1024)) {
          series.writeTo(out);
          body.writeTo(out);
        }
      } else {
        exchange.sendResponseHeaders(200, series.length() + body.size());
        try (OutputStream out = exchange.getResponseBody()) {
          series.writeTo(out);
          body.writeTo(out);
        }
      }
    }
  }

  private static boolean acceptsGzip(HttpExchange exchange) {
    for (String value : exchange.getRequestHeaders().getOrDefault("Accept-Encoding", java.util.List.of())) {
      for (String coding : value.split(",")) {
        if (coding.trim().startsWith("gzip")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The {@code name[]} query parameters, or null when there are none. */
  private static Set<String> names(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    Set<String> names = new HashSet<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
        names.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return names.isEmpty() ? null : names;
  }
}
