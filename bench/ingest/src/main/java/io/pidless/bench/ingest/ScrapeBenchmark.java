package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Target 3: full {@code GET /metrics} (text 0.0.4, uncompressed) of {@code scrapeSeries} counter
 * series spread over {@value #FAMILIES} metric names, timed to the last byte, repeated. Beside it,
 * the same bytes served from memory by the JDK's HTTP server: what the transfer alone costs. The
 * last aggregator scrape must show every series at exactly 1.
 *
 * <pre>{@code
 * ScrapeBenchmark.Run r = ScrapeBenchmark.run(settings);
 * Stats.median(r.aggregatorNanos());
 * }</pre>
 */
final class ScrapeBenchmark {
  static final int CONNECTIONS = 4;
  static final int FAMILIES = 10;
  static final int WARMUP_SCRAPES = 3;
  static final String BASE = "bench_scrape";

  /** Scrape times of the aggregator and of the static baseline, and the body size. */
  record Run(List<Long> aggregatorNanos, List<Long> baselineNanos, int bodyBytes) {}

  private ScrapeBenchmark() {}

  static Run run(BenchSettings s) throws IOException {
    int perConnection = s.scrapeSeries() / CONNECTIONS;
    try (BenchAggregator agg = BenchAggregator.start(s)) {
      SeriesFiller.fill(agg.socket(), CONNECTIONS, perConnection, k -> CounterSeries.spread(BASE, FAMILIES, k));
      MetricsClient metrics = new MetricsClient(agg.metricsUri());
      List<Long> times = timeScrapes(metrics, s.scrapeRepeats());
      MetricsClient.Timed last = metrics.get();
      Scrape samples = Scrape.parse(last.text());
      for (int k = 0; k < CONNECTIONS; k++) {
        CounterSeries series = CounterSeries.spread(BASE, FAMILIES, k);
        for (int n = 0; n < perConnection; n++) {
          Exactness.expect(samples, series.sampleKey(n), 1);
        }
      }
      Exactness.expect(samples, "pidless_series", (long) CONNECTIONS * perConnection);
      agg.stop();
      return new Run(times, timeStatic(last.body(), s.scrapeRepeats()), last.body().length);
    }
  }

  private static List<Long> timeScrapes(MetricsClient metrics, int repeats) throws IOException {
    for (int i = 0; i < WARMUP_SCRAPES; i++) {
      metrics.get();
    }
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      times.add(metrics.get().nanos());
    }
    return times;
  }

  /** The same body from memory: HTTP/1.1 over loopback, no rendering. */
  private static List<Long> timeStatic(byte[] body, int repeats) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/metrics", ex -> {
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      return timeScrapes(new MetricsClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
          + "/metrics")), repeats);
    } finally {
      server.stop(0);
    }
  }
}
