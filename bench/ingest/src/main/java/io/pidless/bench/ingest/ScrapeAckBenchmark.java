package io.pidless.bench.ingest;

import io.pidless.protocol.FrameWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;

/**
 * Issue 13, item 3's figure: the ingest ACK round trip of one client sending a one-delta batch every
 * 2 ms, while {@value #SCRAPES} concurrent {@code /metrics} scrapes (half gzipped) of
 * {@code scrapeSeries} series run, beside the same client with no scrape in the same run. The
 * aggregator runs with deploy/'s JVM options whatever {@code --aggregator-jvm-opts} says, since the
 * promise is about the heap and collector production has: a scrape that holds batches back, or
 * leaves garbage that a collection must copy, shows here. {@value #BURSTS} bursts, each after a quiet
 * second; percentiles over all of them. Checked exactly: every scrape is complete (each series reads
 * 1) and the probe series equals the deltas ACKed.
 *
 * <pre>{@code
 * ScrapeAckBenchmark.Run r = ScrapeAckBenchmark.run(settings);
 * r.quiet().p99();   r.burst().p99();
 * }</pre>
 */
final class ScrapeAckBenchmark {
  static final int SCRAPES = 20;
  static final int BURSTS = 3;
  private static final String PROBE = "bench_probe_total";
  private static final Duration QUIET = Duration.ofSeconds(1);
  private static final long PAUSE_MS = 2;

  /** Round trips in nanoseconds, sorted. */
  record Latencies(long[] sorted) {
    static Latencies of(List<Long> nanos) {
      long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(a);
      return new Latencies(a);
    }

    double p50() {
      return at(0.5);
    }

    double p99() {
      return at(0.99);
    }

    double max() {
      return sorted[sorted.length - 1];
    }

    int count() {
      return sorted.length;
    }

    private double at(double q) {
      return sorted[Math.max(0, (int) Math.ceil(sorted.length * q) - 1)];
    }
  }

  /** ACK round trips without scrapes and during the bursts; how long each burst took to its last byte. */
  record Run(Latencies quiet, Latencies burst, List<Long> burstNanos) {}

  private ScrapeAckBenchmark() {}

  static Run run(BenchSettings s) throws IOException {
    int perConnection = s.scrapeSeries() / ScrapeBenchmark.CONNECTIONS;
    try (BenchAggregator agg = BenchAggregator.start(c -> s.command(c).deployed(),
        "--max-series", Integer.toString(s.scrapeSeries() + 1))) {
      SeriesFiller.fill(agg.socket(), ScrapeBenchmark.CONNECTIONS, perConnection,
          k -> CounterSeries.spread(ScrapeBenchmark.BASE, ScrapeBenchmark.FAMILIES, k));
      MetricsClient metrics = new MetricsClient(agg.metricsUri());
      metrics.get();   // Prometheus has scraped the node before
      List<Long> quiet = new ArrayList<>();
      List<Long> burst = new ArrayList<>();
      List<Long> burstNanos = new ArrayList<>();
      CounterSeries probeSeries = CounterSeries.of(PROBE, 0);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      try (AckedConnection probe = AckedConnection.open(agg.socket(),
          Frames.hello(Frames.newSessionId(), probeSeries, 1, 1), 1)) {
        byte[] body = Frames.batchBody(1, 1);
        long seq = 0;
        for (int b = 0; b < BURSTS; b++) {
          long quietEnd = System.nanoTime() + QUIET.toNanos();
          while (System.nanoTime() < quietEnd) {
            quiet.add(roundTrip(probe, ++seq, body));
          }
          List<CompletableFuture<HttpResponse<byte[]>>> scrapes = startScrapes(http, agg);
          long start = System.nanoTime();
          CompletableFuture<Void> all = CompletableFuture.allOf(scrapes.toArray(CompletableFuture[]::new));
          while (!all.isDone()) {
            burst.add(roundTrip(probe, ++seq, body));
          }
          burstNanos.add(System.nanoTime() - start);
          for (CompletableFuture<HttpResponse<byte[]>> f : scrapes) {
            checkComplete(f.join(), s.scrapeSeries());
          }
        }
        Exactness.expect(metrics.samples(), probeSeries.sampleKey(0), probe.ackedDeltas());
      }
      agg.stop();
      return new Run(Latencies.of(quiet), Latencies.of(burst), burstNanos);
    }
  }

  private static long roundTrip(AckedConnection probe, long seq, byte[] body) throws IOException {
    FrameWriter w = new FrameWriter(32);
    Frames.batch(w, seq, body);
    long t0 = System.nanoTime();
    probe.send(seq, 1, w);
    probe.drain(Duration.ofSeconds(30));
    long nanos = System.nanoTime() - t0;
    try {
      Thread.sleep(PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted between probe batches", e);
    }
    return nanos;
  }

  private static List<CompletableFuture<HttpResponse<byte[]>>> startScrapes(HttpClient http, BenchAggregator agg) {
    List<CompletableFuture<HttpResponse<byte[]>>> scrapes = new ArrayList<>();
    for (int i = 0; i < SCRAPES; i++) {
      HttpRequest.Builder req = HttpRequest.newBuilder(agg.metricsUri()).timeout(Duration.ofSeconds(60));
      if (i % 2 == 0) {
        req.header("Accept-Encoding", "gzip");
      }
      scrapes.add(http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray()));
    }
    return scrapes;
  }

  /** Status 200 and every load series reading 1, counted without building a map of 100,000 samples. */
  private static void checkComplete(HttpResponse<byte[]> r, int series) throws IOException {
    if (r.statusCode() != 200) {
      throw new IOException("a scrape during the burst answered " + r.statusCode() + ": "
          + new String(r.body(), StandardCharsets.UTF_8));
    }
    InputStream in = new ByteArrayInputStream(r.body());
    boolean gzip = r.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
    String text = new String((gzip ? new GZIPInputStream(in) : in).readAllBytes(), StandardCharsets.UTF_8);
    int ones = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(ScrapeBenchmark.BASE) && line.contains("_total{") && line.endsWith(" 1.0")) {
        ones++;
      }
    }
    if (ones != series) {
      throw new Exactness.Mismatch((gzip ? "gzipped" : "plain") + " scrape during the burst: " + ones
          + " load series reading 1, expected " + series);
    }
  }
}
