package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.GaugeMode;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
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
  static final List<String> DEPLOY_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:MaxDirectMemorySize=32m",
      "-XX:+ExitOnOutOfMemoryError");
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
        .jvmOptions(DEPLOY_JVM));
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
}
