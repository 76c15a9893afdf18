package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.GaugeMode;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every metric type against the real aggregator process, checked by scraping /metrics exactly. */
class ClientIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static AggregatorProcess aggregator;

  @BeforeAll
  static void startAggregator() throws Exception {
    aggregator = AggregatorProcess.startOnTempSocket();
  }

  @AfterAll
  static void stopAggregator() throws Exception {
    aggregator.close();
  }

  private static PidlessClient client() {
    return PidlessClient.builder().socket(aggregator.socket()).flushInterval(Duration.ofHours(1))
        .shutdownHook(false).build();
  }

  @Test
  void javadocExampleOfPidlessClientDelivers() throws Exception {
    Path socket = aggregator.socket();
    PidlessClient client = PidlessClient.builder().socket(socket).build();
    Counter jobs = Counter.build().name("jobs_total").help("Jobs run.").register(client);
    jobs.inc();
    boolean delivered = client.flush(Duration.ofSeconds(5));
    client.close();

    assertTrue(delivered);
    assertEquals(1.0, aggregator.scrape().value("jobs_total"));
  }

  @Test
  void everyMetricTypeArrivesExactly() throws Exception {
    try (PidlessClient client = client()) {
      Counter records = Counter.build().name("etl_records_total").help("Records parsed.")
          .labelNames("stage").register(client);
      Gauge inFlight = Gauge.build().name("etl_in_flight").help("Records being parsed.").register(client);
      Gauge peak = Gauge.build().name("etl_peak_batch").help("Largest batch.").mode(GaugeMode.MAX).register(client);
      Gauge level = Gauge.build().name("etl_level").help("Signed level.").mode(GaugeMode.SUM).register(client);
      Histogram latency = Histogram.build().name("etl_parse_seconds").help("Parse time.")
          .buckets(0.1, 1, 10).register(client);
      Summary sizes = Summary.build().name("etl_batch_bytes").help("Batch sizes.").register(client);

      records.labels("parse").inc(3);
      records.labels("parse").inc();
      records.labels("load").inc(0.5);
      inFlight.inc();
      inFlight.inc();
      inFlight.dec();
      peak.set(512);
      peak.set(100);
      level.inc(5);
      level.dec(7);
      latency.observe(0.05);
      latency.observe(0.5);
      latency.observe(0.5);
      latency.observe(20);
      sizes.observe(4096);
      sizes.observe(1024);
      assertTrue(client.flush(WAIT));

      Scrape s = aggregator.scrape();
      assertEquals(4.0, s.value("etl_records_total{stage=\"parse\"}"));
      assertEquals(0.5, s.value("etl_records_total{stage=\"load\"}"));
      assertEquals(1.0, s.value("etl_in_flight"));
      assertEquals(512.0, s.value("etl_peak_batch"));
      assertEquals(-2.0, s.value("etl_level"));
      assertEquals(1.0, s.value("etl_parse_seconds_bucket{le=\"0.1\"}"));
      assertEquals(3.0, s.value("etl_parse_seconds_bucket{le=\"1.0\"}"));
      assertEquals(3.0, s.value("etl_parse_seconds_bucket{le=\"10.0\"}"));
      assertEquals(4.0, s.value("etl_parse_seconds_bucket{le=\"+Inf\"}"));
      assertEquals(4.0, s.value("etl_parse_seconds_count"));
      assertEquals(21.05, s.value("etl_parse_seconds_sum"));
      assertEquals(2.0, s.value("etl_batch_bytes_count"));
      assertEquals(5120.0, s.value("etl_batch_bytes_sum"));
    }
  }

  @Test
  void liveGaugeSumsOpenProcessesAndForgetsAClosedOne() throws Exception {
    PidlessClient first = client();
    PidlessClient second = client();
    Gauge.build("workers_busy", "Busy workers.").register(first).set(2);
    Gauge.build("workers_busy", "Busy workers.").register(second).set(3);
    assertTrue(first.flush(WAIT));
    assertTrue(second.flush(WAIT));
    assertEquals(5.0, aggregator.scrape().value("workers_busy"));

    first.close();
    assertEquals(3.0, awaitValue("workers_busy", 3.0));
    second.close();
  }

  /** docs/PROTOCOL.md, "Gauge modes": set(v) makes this process's contribution v, and it is kept. */
  @Test
  void sumGaugeSetReplacesThisProcessContributionAndKeepsIt() throws Exception {
    PidlessClient first = client();
    PidlessClient second = client();
    Gauge level = Gauge.build("sum_level", "Level.").mode(GaugeMode.SUM).register(first);
    Gauge other = Gauge.build("sum_level", "Level.").mode(GaugeMode.SUM).register(second);
    level.inc(10);
    level.set(3);
    other.set(5);
    other.inc(2);
    assertTrue(first.flush(WAIT));
    assertTrue(second.flush(WAIT));
    assertEquals(10.0, aggregator.scrape().value("sum_level"), "3 + 7");

    level.set(-1);
    first.close();
    other.set(1);
    assertTrue(second.flush(WAIT));
    assertEquals(0.0, aggregator.scrape().value("sum_level"), "the closed writer's -1 is kept, plus 1");
    second.close();
  }

  @Test
  void absoluteGaugeModesMergeAsDocumented() throws Exception {
    PidlessClient first = client();
    PidlessClient second = client();
    for (PidlessClient c : new PidlessClient[] {first, second}) {
      Gauge.build("mode_min", "Min.").mode(GaugeMode.MIN).register(c);
      Gauge.build("mode_last", "Last.").mode(GaugeMode.LAST).register(c);
      Gauge.build("mode_livemax", "Live max.").mode(GaugeMode.LIVEMAX).register(c);
    }
    Gauge.build("mode_min", "Min.").mode(GaugeMode.MIN).register(first).set(-4);
    Gauge.build("mode_min", "Min.").mode(GaugeMode.MIN).register(second).set(9);
    Gauge.build("mode_livemax", "Live max.").mode(GaugeMode.LIVEMAX).register(first).set(7);
    Gauge.build("mode_livemax", "Live max.").mode(GaugeMode.LIVEMAX).register(second).set(5);
    Gauge lastFirst = Gauge.build("mode_last", "Last.").mode(GaugeMode.LAST).register(first);
    lastFirst.set(1);
    lastFirst.inc(2);
    assertTrue(first.flush(WAIT));
    Gauge.build("mode_last", "Last.").mode(GaugeMode.LAST).register(second).set(-1.5);
    assertTrue(second.flush(WAIT));

    Scrape s = aggregator.scrape();
    assertEquals(-4.0, s.value("mode_min"));
    assertEquals(7.0, s.value("mode_livemax"));
    assertEquals(-1.5, s.value("mode_last"), "the value applied most recently");
    first.close();
    assertEquals(5.0, awaitValue("mode_livemax", 5.0), "the closed writer's 7 is gone");
    second.close();
  }

  @Test
  void concurrentIncrementsAreNeitherLostNorDoubled() throws Exception {
    try (PidlessClient client = PidlessClient.builder().socket(aggregator.socket())
        .flushInterval(Duration.ofMillis(5)).shutdownHook(false).build()) {
      Counter.Child ops = Counter.build("concurrent_ops_total", "Ops.").labelNames("kind").register(client).labels("a");
      Histogram h = Histogram.build("concurrent_seconds", "Latency.").buckets(1).register(client);
      int perThread = 200_000;
      Thread[] threads = new Thread[2];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            ops.inc();
            h.observe(i % 2);
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(client.flush(WAIT));
      Scrape s = aggregator.scrape();
      assertEquals(2.0 * perThread, s.value("concurrent_ops_total{kind=\"a\"}"));
      assertEquals(2.0 * perThread, s.value("concurrent_seconds_count"));
      assertEquals(perThread, s.value("concurrent_seconds_bucket{le=\"+Inf\"}") - s.value("concurrent_seconds_bucket{le=\"1.0\"}") + perThread);
      assertEquals(perThread, s.value("concurrent_seconds_sum"));
    }
  }

  @Test
  @Timeout(60)   // a flush that waited out its hour instead of failing fast
  void withoutAggregatorFlushFailsFastAndDeliversOnceItStarts() throws Exception {
    try (TempSocketDir late = new TempSocketDir();
        PidlessClient client = PidlessClient.builder().socket(late.socket()).flushInterval(Duration.ofHours(1))
            .shutdownHook(false).build()) {
      Counter c = Counter.build("late_total", "Counted before the aggregator started.").register(client);
      c.inc(7);
      assertFalse(client.flush(Duration.ofHours(1)), "no socket: flush fails at once, not after its timeout");
      c.inc(4);

      try (AggregatorProcess started = AggregatorProcess.start(late.socket())) {
        assertTrue(client.flush(WAIT));
        assertEquals(11.0, started.scrape().value("late_total"));
      }
    }
  }

  private static double awaitValue(String series, double expected) throws Exception {
    return Await.awaitValue(series + " = " + expected, WAIT, () -> {
      Scrape s = aggregator.scrape();
      return s.has(series) ? s.value(series) : Double.NaN;
    }, v -> v == expected);
  }
}
