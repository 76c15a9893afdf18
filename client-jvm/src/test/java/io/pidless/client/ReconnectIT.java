package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Connections that break, within one aggregator lifetime and across a graceful aggregator restart:
 * every batch is applied exactly once, and a restart loses nothing (docs/PROTOCOL.md, "Restarts").
 */
class ReconnectIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void batchWhoseAckWasLostIsResentAndNotAppliedTwice() throws Exception {
    try (AggregatorProcess aggregator = AggregatorProcess.startOnTempSocket();
        CuttingProxy proxy = new CuttingProxy(aggregator.socket().resolveSibling("x.sock"), aggregator.socket());
        PidlessClient client = PidlessClient.builder().socket(aggregator.socket().resolveSibling("x.sock"))
            .flushInterval(Duration.ofHours(1)).shutdownHook(false).build()) {
      Counter c = Counter.build("resent_total", "Re-sent batches.").register(client);
      Gauge live = Gauge.build("resent_live", "A live gauge held across reconnects.").register(client);
      c.inc(5);
      live.set(3);
      assertTrue(client.flush(WAIT));
      assertEquals(5.0, aggregator.scrape().value("resent_total"));

      proxy.dropNextAnswerAndCut();
      c.inc(7);
      client.flush(WAIT);
      assertFalse(proxy.armed(), "the ACK of the batch carrying +7 was dropped");
      assertEquals(12.0, aggregator.scrape().value("resent_total"), "the aggregator applied +7 before the cut");

      c.inc(1);
      assertTrue(client.flush(WAIT));
      Scrape s = aggregator.scrape();
      assertEquals(2, proxy.connections(), "the client reconnected once");
      assertEquals(13.0, s.value("resent_total"), "the re-sent +7 was settled, not applied again");
      assertEquals(3.0, s.value("resent_live"), "the live value dropped with the old connection was re-sent");
    }
  }

  @Test
  void reconnectDoesNotBringBackSeriesTheAggregatorExpired() throws Exception {
    try (AggregatorProcess aggregator = AggregatorProcess.startOnTempSocket("--ttl", "1s");
        CuttingProxy proxy = new CuttingProxy(aggregator.socket().resolveSibling("x.sock"), aggregator.socket());
        PidlessClient client = PidlessClient.builder().socket(aggregator.socket().resolveSibling("x.sock"))
            .flushInterval(Duration.ofHours(1)).shutdownHook(false).build()) {
      Counter idle = Counter.build("idle_total", "Written once, then idle.").register(client);
      Counter busy = Counter.build("busy_total", "Written again later.").register(client);
      idle.inc(1);
      busy.inc(1);
      assertTrue(client.flush(WAIT));
      assertEquals(2.0, Await.awaitValue("both idled out after --ttl 1s", WAIT,
          () -> aggregator.scrape().value("pidless_series_expired_total"), v -> v >= 2));

      proxy.dropNextAnswerAndCut();
      busy.inc(2);
      client.flush(WAIT);
      assertTrue(client.flush(WAIT), "delivered after reconnecting");
      Scrape s = aggregator.scrape();
      assertEquals(2, proxy.connections());
      assertEquals(2.0, s.value("busy_total"), "the series with a delta came back with it, once");
      assertFalse(s.has("idle_total"), "a series with nothing to send is not defined again");
    }
  }

  @Test
  void gracefulRestartDeliversPendingDeltasOnceAndSettledOnesNever() throws Exception {
    try (AggregatorProcess aggregator = AggregatorProcess.startOnTempSocket();
        PidlessClient client = PidlessClient.builder().socket(aggregator.socket())
            .flushInterval(Duration.ofHours(1)).shutdownHook(false).build()) {
      Counter c = Counter.build("restart_total", "Across a restart.").register(client);
      Gauge live = Gauge.build("restart_live", "A live gauge held across restarts.").register(client);
      c.inc(5);
      live.set(4);
      assertTrue(client.flush(WAIT));
      assertEquals(5.0, aggregator.scrape().value("restart_total"));

      c.inc(7);
      assertEquals(0, aggregator.stop(), "SIGTERM stops the aggregator cleanly");
      c.inc(11);
      assertFalse(client.flush(Duration.ofSeconds(1)), "nothing to deliver to");

      try (AggregatorProcess restarted = AggregatorProcess.start(aggregator.socket())) {
        assertTrue(client.flush(WAIT));
        Scrape s = restarted.scrape();
        assertEquals(23.0, s.value("restart_total"), "the settled +5 restored from the state file, not sent"
            + " again; +7 and +11 once");
        assertEquals(4.0, s.value("restart_live"));
      }
    }
  }

  @Test
  void restartWhileUpdatingLosesNothingSentAfterIt() throws Exception {
    try (AggregatorProcess aggregator = AggregatorProcess.startOnTempSocket();
        PidlessClient client = PidlessClient.builder().socket(aggregator.socket())
            .flushInterval(Duration.ofMillis(10)).shutdownHook(false).build()) {
      Counter before = Counter.build("busy_before_total", "Updates before the restart.").register(client);
      Counter after = Counter.build("busy_after_total", "Updates after the restart.").register(client);
      for (int i = 0; i < 50_000; i++) {
        before.inc();
      }
      assertEquals(0, aggregator.stop());
      try (AggregatorProcess restarted = AggregatorProcess.start(aggregator.socket())) {
        for (int i = 0; i < 50_000; i++) {
          after.inc();
        }
        assertTrue(client.flush(WAIT));
        Scrape s = restarted.scrape();
        assertEquals(50_000.0, s.value("busy_before_total"), "applied before the stop and restored, or sent"
            + " after it");
        assertEquals(50_000.0, s.value("busy_after_total"));
      }
    }
  }
}
