package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.GaugeMode;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Remote_write from the real jar (deploy/'s JVM options) into a real Prometheus receiver, checked by
 * querying Prometheus back: exact totals, a receiver that goes down and comes back, the final push on
 * SIGTERM, a push kept in the state file for the next start, and staleness markers for expired series.
 * Each test labels its series with its own {@code --external-label test=...}.
 */
class RemoteWriteIT {
  private static PrometheusReceiver prom;

  @BeforeAll
  static void startPrometheus() throws Exception {
    prom = PrometheusReceiver.start();
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    prom.close();
  }

  private static AggregatorProcess aggregator(TempSocketDir dir, String test, String... flags) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("--remote-write-url", prom.writeUrl(),
        "--external-label", "test=" + test));
    all.addAll(List.of(flags));
    return AggregatorProcess.start(AggregatorCommand.on(dir.socket(), all.toArray(String[]::new))
        .deployed());
  }

  @Test
  void prometheusHoldsTheExactTotalsOfEveryKindOfSeries() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = aggregator(dir, "exact", "--remote-write-interval", "200ms",
            "--external-label", "node=n1")) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "rw_jobs_total", "stage", "parse").counter(2, "rw_jobs_total", "stage", "load")
            .gauge(3, GaugeMode.SUM, "rw_inflight")
            .histogram(4, "rw_wait_seconds", new double[] {0.5, 2})
            .summary(5, "rw_size_bytes");
        c.beginBatch(1, 5).varint(1).f64(41).varint(2).f64(1.5).varint(3).f64(-3)
            .varint(4).varint(0).varint(2).varint(3).f64(7.25)
            .varint(5).varint(4).f64(1000);
        c.endBatch().sendAndAck(1);
        c.add(2, 1, 1).sendAndAck(2);
      }
      String sel = "{test=\"exact\",node=\"n1\"";
      assertEquals(List.of(42.0), prom.awaitQuery("rw_jobs_total" + sel + ",stage=\"parse\"}", List.of(42.0)));
      assertEquals(List.of(1.5), prom.query("rw_jobs_total" + sel + ",stage=\"load\"}"));
      assertEquals(List.of(-3.0), prom.query("rw_inflight" + sel + "}"));
      assertEquals(List.of(0.0), prom.query("rw_wait_seconds_bucket" + sel + ",le=\"0.5\"}"));
      assertEquals(List.of(2.0), prom.query("rw_wait_seconds_bucket" + sel + ",le=\"2.0\"}"));
      assertEquals(List.of(5.0), prom.query("rw_wait_seconds_bucket" + sel + ",le=\"+Inf\"}"));
      assertEquals(List.of(5.0), prom.query("rw_wait_seconds_count" + sel + "}"));
      assertEquals(List.of(7.25), prom.query("rw_wait_seconds_sum" + sel + "}"));
      assertEquals(List.of(4.0), prom.query("rw_size_bytes_count" + sel + "}"));
      assertEquals(List.of(1000.0), prom.query("rw_size_bytes_sum" + sel + "}"));
      Scrape s = p.scrape();
      double created = s.value("rw_jobs_created{stage=\"parse\"}");
      assertEquals(List.of(created), prom.query("rw_jobs_created" + sel + ",stage=\"parse\"}"));
      assertEquals(List.of(42.0), prom.query("max_over_time(rw_jobs_total" + sel + ",stage=\"parse\"}[5m])"),
          "no sample ever above the total: nothing counted twice");
      assertTrue(s.value("pidless_remote_write_samples_sent_total{url=\"" + prom.writeUrl() + "\"}") > 0, s.body());
      assertTrue(s.value("pidless_remote_write_last_success_timestamp_seconds{url=\"" + prom.writeUrl() + "\"}")
          > System.currentTimeMillis() / 1000.0 - 60, s.body());
      assertEquals(0, p.stop());
    }
  }

  @Test
  void aReceiverDownThenUpGetsEveryDeltaOnceAndNothingTwice() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = aggregator(dir, "downup", "--remote-write-interval", "200ms")) {
      prom.stop();
      try {
        try (TestClient c = new TestClient(dir.socket())) {
          c.hello();
          c.counter(1, "rw_downup_total");
          for (int seq = 1; seq <= 20; seq++) {
            c.add(seq, 1, seq);
            c.sendAndAck(seq);
          }
        }
        awaitScrape(p, "pidless_remote_write_failures_total{url=\"" + prom.writeUrl() + "\",reason=\"network\"}", 2);
        assertTrue(p.scrape().value("pidless_remote_write_pending_samples{url=\"" + prom.writeUrl() + "\"}") > 0);
      } finally {
        prom.restart();
      }
      assertEquals(List.of(210.0), prom.awaitQuery("rw_downup_total{test=\"downup\"}", List.of(210.0)));
      assertEquals(List.of(210.0), prom.query("max_over_time(rw_downup_total{test=\"downup\"}[5m])"));
      assertTrue(p.output().contains("remote write to " + prom.writeUrl() + " failed (java.net.ConnectException"),
          p.output());
      // logged once the push that Prometheus already shows has been answered
      Await.awaitTrue("the aggregator logged the delivery after the outage",
          () -> p.output().contains("delivered again after"));
      assertEquals(0, p.stop());
    }
  }

  @Test
  void sigtermMakesAFinalPushThatReachesPrometheus() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = aggregator(dir, "final", "--remote-write-interval", "1h")) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "rw_final_total").add(1, 1, 17).sendAndAck(1);
      }
      assertEquals(List.of(), prom.query("rw_final_total{test=\"final\"}"), "no push before SIGTERM");
      assertEquals(0, p.stop());
      assertTrue(p.output().contains("final remote write push delivered to " + prom.writeUrl()), p.output());
    }
    assertEquals(List.of(17.0), prom.query("rw_final_total{test=\"final\"}"), "delivered before exit");
  }

  @Test
  void aFinalPushThatCannotBeDeliveredIsKeptInTheStateFileAndSentAtTheNextStart() throws Exception {
    try (TempSocketDir dir = new TempSocketDir()) {
      prom.stop();
      try {
        try (AggregatorProcess p = aggregator(dir, "kept", "--remote-write-interval", "1h",
            "--shutdown-timeout", "500ms")) {
          try (TestClient c = new TestClient(dir.socket())) {
            c.hello();
            c.counter(1, "rw_kept_total").add(1, 1, 23).sendAndAck(1);
          }
          assertEquals(0, p.stop());
          assertTrue(p.output().contains("the state file keeps it for the next start"), p.output());
          assertTrue(p.output().contains("(and 1 undelivered remote write pushes) to"), p.output());
        }
      } finally {
        prom.restart();
      }
      try (AggregatorProcess next = aggregator(dir, "kept", "--remote-write-interval", "1h")) {
        assertEquals(List.of(23.0), prom.awaitQuery("rw_kept_total{test=\"kept\"}", List.of(23.0)));
        assertEquals(0, next.stop());
      }
    }
  }

  @Test
  void anExpiredSeriesEndsAtOnceWithAStalenessMarker() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = aggregator(dir, "stale", "--remote-write-interval", "200ms", "--ttl", "2s")) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "rw_stale_total").add(1, 1, 5).sendAndAck(1);
      }
      assertEquals(List.of(5.0), prom.awaitQuery("rw_stale_total{test=\"stale\"}", List.of(5.0)));
      awaitScrape(p, "pidless_series_expired_total", 1);
      assertEquals(List.of(), prom.awaitQuery("rw_stale_total{test=\"stale\"}", List.of()),
          "gone within seconds, not after Prometheus' 5 minute lookback");
      assertEquals(List.of(), prom.query("rw_stale_created{test=\"stale\"}"));
      assertEquals(List.of(5.0), prom.query("max_over_time(rw_stale_total{test=\"stale\"}[5m])"));
      assertEquals(0, p.stop());
    }
  }

  /** Waits until the aggregator's own {@code series} reaches at least {@code atLeast}, for at most 15 s. */
  static void awaitScrape(AggregatorProcess p, String series, double atLeast) throws Exception {
    Await.awaitValue(series + " >= " + atLeast, Duration.ofSeconds(15), () -> {
      Scrape s = p.scrape();
      return s.has(series) ? s.value(series) : Double.NaN;
    }, v -> v >= atLeast);
  }
}
