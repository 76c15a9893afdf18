package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A series the aggregator rejected is rejected on that connection only (docs/PROTOCOL.md, "A session,
 * step by step"): its deltas are not sent there, after a reconnect it is defined again and arrives
 * once the cause is fixed, and the rejection is logged once, and again only after a connection
 * accepted the series. The client's log messages are read through {@link ClientLog}.
 */
class RejectedSeriesIT {
  /** Generous: a flush returns at its ACK, but the first after a restart waits for a cold JVM. */
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SERIES_LIMIT = "pidless_rejections_total{reason=\"series_limit\"}";
  private static final String DROPPED = "pidless_deltas_dropped_total{reason=\"rejected_series\"}";

  private ClientLog log;
  private TempSocketDir dir;
  private AggregatorProcess aggregator;
  private PidlessClient client;

  @BeforeEach
  void start() throws Exception {
    log = ClientLog.capture();
    dir = new TempSocketDir();
    aggregator = AggregatorProcess.start(dir.socket(), "--max-series", "2");
    client = PidlessClient.builder().socket(dir.socket()).flushInterval(Duration.ofHours(1))
        .shutdownHook(false).build();
  }

  @AfterEach
  void stop() throws Exception {
    log.close();
    client.close();
    aggregator.close();
    dir.close();
  }

  @Test
  void seriesRejectedAtTheLimitArrivesAfterARestartWithRoom() throws Exception {
    Counter[] counters = fillTheLimitThenAddAThird("rj", 1, 2);
    Scrape s = incAndFlush(counters, 10, 20, 4);
    assertEquals(11.0, s.value("rj_a_total"));
    assertEquals(22.0, s.value("rj_b_total"));
    assertFalse(s.has("rj_c_total"), "the third series is over --max-series 2");
    assertEquals(1.0, s.value(SERIES_LIMIT));
    assertEquals(1.0, s.value(DROPPED), "its +4 was sent with the DEFINE and dropped there");

    s = incAndFlush(counters, 100, 200, 40);
    assertEquals(111.0, s.value("rj_a_total"));
    assertEquals(222.0, s.value("rj_b_total"));
    assertFalse(s.has("rj_c_total"));
    assertEquals(1.0, s.value(SERIES_LIMIT), "not defined again on the connection that rejected it");
    assertEquals(1.0, s.value(DROPPED), "its +40 was not even sent there");

    restart("--max-series", "10");
    s = incAndFlush(counters, 1000, 2000, 400);
    assertEquals(1111.0, s.value("rj_a_total"), "111 restored from the state file, plus 1000");
    assertEquals(2222.0, s.value("rj_b_total"), "222 restored from the state file, plus 2000");
    assertEquals(400.0, s.value("rj_c_total"), "defined again on the new connection: only the +400 made"
        + " after the restart");
    assertEquals(1, rejectionsOf("rj_c_total{}"), "logged once: " + log.messages());
  }

  @Test
  void rejectionIsLoggedAgainOnlyAfterTheSeriesWasAccepted() throws Exception {
    Counter[] counters = fillTheLimitThenAddAThird("rl", 1, 1);
    incAndFlush(counters, 0, 0, 1);                 // c rejected: logged
    restart("--max-series", "2");                   // a and b restored: c rejected again
    incAndFlush(counters, 1, 1, 1);
    restart("--max-series", "10");
    incAndFlush(counters, 0, 0, 1);                 // c accepted
    aggregator.crash();                             // nothing restored
    aggregator.close();
    aggregator = AggregatorProcess.start(dir.socket(), "--max-series", "2");
    incAndFlush(counters, 1, 1);                    // defines a and b: c has no delta yet
    Scrape s = incAndFlush(counters, 0, 0, 1);      // c rejected after it was accepted: logged
    assertEquals(1.0, s.value("rl_a_total"));
    assertFalse(s.has("rl_c_total"));
    assertEquals(2, rejectionsOf("rl_c_total{}"), log.messages().toString());
  }

  /**
   * Counters {@code <prefix>_a_total} and {@code _b_total}, given {@code a} and {@code b} and flushed,
   * then {@code _c_total}: the client defines a series at the first flush after it exists, so c is
   * the one over --max-series 2.
   */
  private Counter[] fillTheLimitThenAddAThird(String prefix, double a, double b) throws Exception {
    Counter[] two = {counter(prefix + "_a_total"), counter(prefix + "_b_total")};
    incAndFlush(two, a, b);
    return new Counter[] {two[0], two[1], counter(prefix + "_c_total")};
  }

  private Counter counter(String name) {
    return Counter.build(name, "A counter.").register(client);
  }

  /** Adds {@code amounts} to the first {@code counters}, flushes, and scrapes. */
  private Scrape incAndFlush(Counter[] counters, double... amounts) throws Exception {
    for (int i = 0; i < amounts.length; i++) {
      counters[i].inc(amounts[i]);
    }
    assertTrue(client.flush(WAIT));
    return aggregator.scrape();
  }

  /** A graceful restart on the same socket: the state file keeps the series, the client reconnects. */
  private void restart(String... flags) throws Exception {
    assertEquals(0, aggregator.stop());
    aggregator.close();
    aggregator = AggregatorProcess.start(dir.socket(), flags);
  }

  /** How many messages said that the aggregator rejected {@code series} at --max-series. */
  private long rejectionsOf(String series) {
    String said = "rejected the definition of " + series + " (SERIES_LIMIT";
    return log.messages().stream().filter(w -> w.contains(said)).count();
  }
}
