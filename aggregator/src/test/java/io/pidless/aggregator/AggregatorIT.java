package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.GaugeMode;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real jar as its own process, many concurrent clients, totals checked exactly from a real HTTP
 * scrape, and the exposition validated by promtool.
 */
class AggregatorIT {
  private static final int CLIENTS = 24;
  private static final int BATCHES = 150;
  private static final String[] STAGES = {"read", "parse", "write"};

  private static TempSocketDir dir;
  private static AggregatorProcess agg;

  @BeforeAll
  static void start() throws Exception {
    dir = new TempSocketDir();
    agg = AggregatorProcess.start(dir.socket());
  }

  @AfterAll
  static void stop() throws Exception {
    assertEquals(0, agg.stop());
    agg.close();
    dir.close();
  }

  /** One client: counters per stage, a histogram, a summary and gauges of every kept mode. */
  private static Void runClient(int c) throws IOException {
    try (TestClient t = new TestClient(dir.socket())) {
      t.hello();
      for (int s = 0; s < STAGES.length; s++) {
        t.counter(s + 1, "it_records_total", "stage", STAGES[s]);
      }
      t.histogram(10, "it_parse_seconds", new double[] {0.01, 0.1, 1});
      t.summary(11, "it_row_bytes");
      t.gauge(12, GaugeMode.SUM, "it_inflight");
      t.gauge(13, GaugeMode.MAX, "it_peak");
      t.gauge(14, GaugeMode.MIN, "it_low");
      t.gauge(15, GaugeMode.LIVESUM, "it_workers");
      for (int seq = 1; seq <= BATCHES; seq++) {
        var w = t.beginBatch(seq, STAGES.length + 6);
        for (int s = 0; s < STAGES.length; s++) {
          w.varint(s + 1).f64(s + 1);
        }
        w.varint(10).varint(1).varint(2).varint(0).varint(3).f64(0.25);
        w.varint(11).varint(4).f64(100);
        w.varint(12).f64(seq % 2 == 0 ? -1 : 2);
        w.varint(13).f64(c * 1000 + seq);
        w.varint(14).f64(-c * 1000 - seq);
        w.varint(15).f64(1);
        t.endBatch();
        if (seq % 10 == 0) {
          t.send();
          for (int k = seq - 9; k <= seq; k++) {
            t.read();
          }
        }
      }
      if (c % 2 == 0) {
        return null;
      }
      Thread.sleep(Long.MAX_VALUE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  @Test
  void concurrentClientsMergeExactlyWithoutPerProcessLabels() throws Exception {
    String applied = "pidless_acks_sent_total{outcome=\"applied\"}";
    double appliedBefore = agg.scrape().value(applied);
    double n = (double) CLIENTS * BATCHES;
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<Void>> done = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int id = c;
      done.add(pool.submit(() -> runClient(id)));
    }
    for (int c = 0; c < CLIENTS; c += 2) {
      done.get(c).get(60, TimeUnit.SECONDS);
    }
    assertEquals(appliedBefore + n, Await.awaitValue("every batch acknowledged", () -> agg.scrape().value(applied),
        v -> v >= appliedBefore + n));
    // A scrape snapshots the series before it reads the self-metrics, and a batch is counted as
    // acknowledged only once applied; so the scrape that saw every ACK may miss the last batches,
    // and only one begun after it is sure to see them all.
    Scrape s = agg.scrape();
    for (int st = 0; st < STAGES.length; st++) {
      assertEquals(n * (st + 1), s.value("it_records_total{stage=\"" + STAGES[st] + "\"}"));
    }
    assertEquals(n, s.value("it_parse_seconds_bucket{le=\"0.01\"}"));
    assertEquals(3 * n, s.value("it_parse_seconds_bucket{le=\"0.1\"}"));
    assertEquals(3 * n, s.value("it_parse_seconds_bucket{le=\"1.0\"}"));
    assertEquals(6 * n, s.value("it_parse_seconds_bucket{le=\"+Inf\"}"));
    assertEquals(6 * n, s.value("it_parse_seconds_count"));
    assertEquals(0.25 * n, s.value("it_parse_seconds_sum"));
    assertEquals(4 * n, s.value("it_row_bytes_count"));
    assertEquals(100 * n, s.value("it_row_bytes_sum"));
    assertEquals(CLIENTS * (BATCHES / 2 * 2.0 - BATCHES / 2), s.value("it_inflight"));
    assertEquals((CLIENTS - 1) * 1000 + BATCHES, s.value("it_peak"));
    assertEquals(-((CLIENTS - 1) * 1000 + BATCHES), s.value("it_low"));
    // Only the clients still connected count, once their closed connections are processed.
    Await.awaitValue("it_workers of the clients still connected", () -> agg.scrape().value("it_workers"),
        v -> v == CLIENTS / 2.0);
    java.util.Set<String> expected = new java.util.TreeSet<>(List.of("it_parse_seconds_bucket{le=\"0.01\"}",
        "it_parse_seconds_bucket{le=\"0.1\"}", "it_parse_seconds_bucket{le=\"1.0\"}",
        "it_parse_seconds_bucket{le=\"+Inf\"}", "it_parse_seconds_count", "it_parse_seconds_sum",
        "it_parse_seconds_created", "it_row_bytes_count", "it_row_bytes_sum", "it_row_bytes_created", "it_inflight",
        "it_peak", "it_low", "it_workers"));
    for (String stage : STAGES) {
      expected.add("it_records_total{stage=\"" + stage + "\"}");
      expected.add("it_records_created{stage=\"" + stage + "\"}");
    }
    assertEquals(expected, new java.util.TreeSet<>(s.samples().keySet().stream().filter(k -> k.startsWith("it_")).toList()),
        "one series per name and label set, with no per-process label, however many clients wrote");
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void exposesTextAndOpenMetricsGzippedOrNotAndPromtoolAcceptsBoth() throws Exception {
    try (TestClient t = new TestClient(dir.socket())) {
      t.hello();
      t.counter(1, "fmt_events_total", "kind", "a").histogram(2, "fmt_wait_seconds", new double[] {0.5}).summary(3,
          "fmt_size_bytes").gauge(4, GaugeMode.LAST, "fmt_temperature");
      var w = t.beginBatch(1, 4);
      w.varint(1).f64(2).varint(2).varint(1).varint(1).f64(1.25).varint(3).varint(1).f64(9).varint(4).f64(21.5);
      t.endBatch().sendAndAck(1);
    }
    Scrape text = Scrape.of(agg.port(), null, true);
    assertTrue(text.contentType().startsWith("text/plain; version=0.0.4"), text.contentType());
    assertEquals(2.0, text.value("fmt_events_total{kind=\"a\"}"));
    assertTrue(text.has("fmt_events_created{kind=\"a\"}"), "text format carries _created");
    assertTrue(text.has("jvm_memory_bytes_used{area=\"heap\"}"), "the JVM's own metrics are there");
    Scrape om = Scrape.of(agg.port(), "application/openmetrics-text; version=1.0.0; charset=utf-8", false);
    assertTrue(om.contentType().startsWith("application/openmetrics-text"), om.contentType());
    assertTrue(om.body().contains("# TYPE fmt_events counter"), om.body());
    assertTrue(om.has("fmt_events_created{kind=\"a\"}"));
    assertTrue(om.has("fmt_wait_seconds_created"));
    assertTrue(om.body().endsWith("# EOF\n"));
    promtoolAccepts(text.body());
  }

  /**
   * A body of several {@code 256 KiB} chunks, streamed as it is rendered: whole and exact as text and
   * OpenMetrics, gzipped or not, chunked over HTTP/1.1 and ended by closing the connection over
   * HTTP/1.0 (which has no chunked encoding), and promtool reads it.
   */
  @Test
  void aScrapeOfManyChunksIsWholeAndExactInEveryFormAndOverHttp10() throws Exception {
    int n = 8000;
    String pad = "p".repeat(60);
    try (TestClient t = new TestClient(dir.socket())) {
      t.hello();
      for (int i = 1; i <= n; i++) {
        t.counter(i, "chunk_rows_total", "part", pad + i);
      }
      var w = t.beginBatch(1, n);
      for (int i = 1; i <= n; i++) {
        w.varint(i).f64(i);
      }
      t.endBatch().sendAndAck(1);
    }
    for (String accept : new String[] {null, "application/openmetrics-text; version=1.0.0; charset=utf-8"}) {
      for (boolean gzip : new boolean[] {false, true}) {
        expectChunkRows(Scrape.of(agg.port(), accept, gzip), n, pad);
      }
    }
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + agg.port() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals("chunked", r.headers().firstValue("transfer-encoding").orElse("none"), r.headers().toString());
    assertTrue(r.body().length() > 4 * 256 * 1024, "a body of " + r.body().length() + " bytes is not many chunks");
    expectChunkRows(Scrape.parse(r.body()), n, pad);
    promtoolAccepts(r.body());
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", agg.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write("GET /metrics HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String whole = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int end = whole.indexOf("\r\n\r\n");
      String head = whole.substring(0, end).toLowerCase(java.util.Locale.ROOT);
      assertTrue(head.startsWith("http/1.1 200") && head.contains("connection: close")
          && !head.contains("transfer-encoding"), head);
      expectChunkRows(Scrape.parse(whole.substring(end + 4)), n, pad);
    }
  }

  private static void expectChunkRows(Scrape s, int n, String pad) {
    for (int i = 1; i <= n; i++) {
      assertEquals(i, s.value("chunk_rows_total{part=\"" + pad + i + "\"}"), s.contentType());
    }
    assertEquals(n, s.samples().keySet().stream().filter(k -> k.startsWith("chunk_rows_total{")).count());
    assertTrue(s.has("jvm_memory_bytes_used{area=\"heap\"}"), "the own metrics follow the series");
  }

  private static void promtoolAccepts(String exposition) throws Exception {
    Path promtool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(promtool)) {
      throw new AssertionError("promtool not found: apt-get install prometheus (.ci/run does)");
    }
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(exposition.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "promtool check metrics:\n" + out);
  }
}
