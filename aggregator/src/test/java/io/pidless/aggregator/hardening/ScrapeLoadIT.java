package io.pidless.aggregator.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pidless.aggregator.TestClient;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.TempSocketDir;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 3: twenty concurrent scrapes of 100,000 series, half gzipped, under deploy/'s JVM
 * options and flags, all answered in full and exact while a client's ACKs stay fast. Before the fix
 * the heap ran out (exit 3); a plain body over the direct memory cap hung. The bodies are fetched
 * concurrently and checked afterwards, so the test's own parsing does not compete with the scrapes.
 * The ACK round trips of one client, for a second before the burst and during it, are printed (p50,
 * p99, max), not asserted: on a shared build machine they measure the machine as much as the
 * aggregator, which the figure without scrapes shows. The figure of record, ACK p99 during the
 * scrapes beside none, comes from {@code bench/ingest/run.sh --only scrape-acks}.
 */
class ScrapeLoadIT {
  /** With the probe series, exactly the default --max-series. */
  private static final int SERIES = 99_999;
  private static final int SCRAPES = 20;
  private static final int PER_FRAME = 10_000;

  @Test
  void twentyConcurrentScrapesOfAHundredThousandSeriesAllSucceedAndAcksStayFast() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.on(dir.socket()).deployed());
        TestClient loader = new TestClient(dir.socket())) {
      load(loader);
      try (TestClient probe = new TestClient(dir.socket())) {   // says HELLO at once, as --frame-timeout asks
        probe.hello();
        probe.counter(1, "probe_total").send();
        burst(agg, probe);
      }
    }
  }

  /** One warm-up scrape, then 20 at once; the probe's ACK round trips before and during; every body checked. */
  private static void burst(AggregatorProcess agg, TestClient probe) throws Exception {
    agg.scrape();   // Prometheus has scraped the node before the burst
    AtomicBoolean quiet = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(SCRAPES + 1);
    Future<long[]> quietAcks = pool.submit(() -> ackLatencies(probe, quiet, 1));
    Thread.sleep(1000);
    quiet.set(false);
    long[] baseline = quietAcks.get(30, TimeUnit.SECONDS);

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    AtomicBoolean scraping = new AtomicBoolean(true);
    Future<long[]> acks = pool.submit(() -> ackLatencies(probe, scraping, baseline.length + 1));
    List<Future<HttpResponse<byte[]>>> scrapes = new ArrayList<>();
    for (int i = 0; i < SCRAPES; i++) {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agg.port() + "/metrics"))
          .timeout(Duration.ofSeconds(30));
      if (i % 2 == 0) {
        req.header("Accept-Encoding", "gzip");
      }
      scrapes.add(pool.submit(() -> http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray())));
    }
    List<HttpResponse<byte[]>> bodies = new ArrayList<>();
    for (Future<HttpResponse<byte[]>> f : scrapes) {
      bodies.add(f.get(60, TimeUnit.SECONDS));
    }
    scraping.set(false);
    long[] latencies = acks.get(30, TimeUnit.SECONDS);
    pool.shutdown();

    for (HttpResponse<byte[]> r : bodies) {
      assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
      assertLoadSeriesExact(r);
    }
    System.out.println("ScrapeLoadIT: ACK round trips without scrapes: " + percentiles(baseline) + "; during "
        + SCRAPES + " scrapes: " + percentiles(latencies));
    assertEquals(baseline.length + latencies.length, agg.scrape().value("probe_total"));
  }

  /** Counters {@code load_total{series="s<i>"}} = i, defined and sent in frames of 10,000. */
  private static void load(TestClient loader) throws IOException {
    loader.hello();
    long seq = 1;
    for (int first = 1; first <= SERIES; first += PER_FRAME, seq++) {
      int n = Math.min(PER_FRAME, SERIES - first + 1);
      for (int id = first; id < first + n; id++) {
        loader.counter(id, "load_total", "series", "s" + id, "pool", "worker-pool-" + id % 97);
      }
      loader.beginBatch(seq, n);
      for (int id = first; id < first + n; id++) {
        loader.writer().varint(id).f64(id);
      }
      loader.endBatch().sendAndAck(seq);
    }
  }

  /** Round trips of one-delta batches from {@code firstSeq}, at least 50, until {@code going} turns false. */
  private static long[] ackLatencies(TestClient probe, AtomicBoolean going, long firstSeq) throws Exception {
    List<Long> nanos = new ArrayList<>();
    for (long seq = firstSeq; going.get() || seq < firstSeq + 50; seq++) {
      long t0 = System.nanoTime();
      probe.add(seq, 1, 1).sendAndAck(seq);
      nanos.add(System.nanoTime() - t0);
      Thread.sleep(2);
    }
    return nanos.stream().mapToLong(Long::longValue).toArray();
  }

  private static String percentiles(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format("%d ACKs, p50 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.length,
        sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  /** Every load series once, with its exact value, in a plain or gzipped body. */
  private static void assertLoadSeriesExact(HttpResponse<byte[]> r) throws IOException {
    boolean gzip = r.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
    InputStream in = new ByteArrayInputStream(r.body());
    String body = new String((gzip ? new GZIPInputStream(in) : in).readAllBytes(), StandardCharsets.UTF_8);
    int count = 0;
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("load_total{")) {
        count++;
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    assertEquals(SERIES, count, "load series in one " + (gzip ? "gzipped" : "plain") + " scrape");
    assertEquals((double) SERIES * (SERIES + 1) / 2, sum);
  }
}
