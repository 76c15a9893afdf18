package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exactly-once under a flood of new sessions, against the real jar with deploy/'s JVM options and a
 * deliberately small session table: a session that settled a batch is remembered for its whole
 * {@code --session-ttl} however many strangers come; when the table is full, new sessions are refused
 * (retryable {@code SESSION_LIMIT}, counted) instead of known ones being forgotten.
 */
class SessionPressureIT {
  private static final int TABLE = 40;
  /** Enough connect-HELLO-BATCH-close that a size-bounded cache ages and evicts even a busy known session. */
  private static final int FLOOD = TABLE * 20;

  @Test
  @Timeout(90)
  void aFloodOfNewSessionsNeverMakesAKnownSessionApplyABatchTwice() throws Exception {
    byte[] known = TestClient.newSession();
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = AggregatorProcess.start(
            AggregatorCommand.on(dir.socket(), "--max-sessions", String.valueOf(TABLE)).deployed())) {
      try (TestClient c = new TestClient(dir.socket(), known)) {
        c.hello();
        c.counter(1, "known_total");
        c.add(1, 1, 1).sendAndAck(1);
        c.add(2, 1, 2).sendAndAck(2);
        c.add(3, 1, 4).sendAndAck(3);
      }

      // connect-HELLO-close: a session that settled nothing has nothing to remember, so it never fills the table.
      for (int i = 0; i < TABLE * 10; i++) {
        try (TestClient stranger = new TestClient(dir.socket())) {
          assertEquals(0, stranger.hello().lastSeq());
        }
      }
      double afterHelloFlood = awaitSessions(p, 1);

      // connect-HELLO-BATCH-close: each is remembered, until the table is full; then new ones are refused.
      int accepted = 0;
      int refused = 0;
      for (int i = 0; i < FLOOD; i++) {
        try (TestClient stranger = new TestClient(dir.socket())) {
          stranger.writer().hello(stranger.session(), "flood");
          stranger.counter(1, "flood_total").add(1, 1, 1).send();
          ServerFrame first = stranger.read();
          if (first instanceof ServerFrame.Error e) {
            assertEquals(ErrorCode.SESSION_LIMIT, e.code(), e.message());
            assertTrue(e.message().contains("--max-sessions"), e.message());
            assertTrue(stranger.closedByPeer());
            refused++;
          } else {
            assertInstanceOf(ServerFrame.HelloOk.class, first);
            assertInstanceOf(ServerFrame.Ack.class, stranger.read());
            accepted++;
          }
        }
      }

      // The known session comes back within its session TTL and re-sends batch 3, whose ACK it "lost".
      try (TestClient c = new TestClient(dir.socket(), known)) {
        assertEquals(3, c.hello().lastSeq(), "a known session is remembered, not evicted by strangers");
        c.counter(1, "known_total");
        assertEquals(Protocol.ACK_ALREADY_SETTLED, c.add(3, 1, 4).sendAndAck(3).outcome());
        assertEquals(Protocol.ACK_APPLIED, c.add(4, 1, 8).sendAndAck(4).outcome());
      }
      Scrape s = p.scrape();
      assertEquals(15.0, s.value("known_total"), "1 + 2 + 4 + 8, batch 3 once");
      assertEquals(1, afterHelloFlood, "sessions that settled nothing are forgotten when their connection closes");
      assertEquals(TABLE - 1, accepted, "the known session holds one place");
      assertEquals(FLOOD - (TABLE - 1), refused);
      assertEquals(TABLE - 1, s.value("flood_total"));
      assertEquals(FLOOD - (TABLE - 1), s.value("pidless_protocol_errors_total{code=\"session_limit\"}"));
      assertEquals(TABLE, s.value("pidless_sessions"));
      assertEquals(TABLE, s.value("pidless_sessions_limit"));
      assertEquals(0, p.stop(), p.output());
    }
  }

  /**
   * Closes are noticed asynchronously: waits, bounded, until the table holds {@code n} sessions, and
   * returns how many it holds.
   */
  private static double awaitSessions(AggregatorProcess p, double n) throws IOException, InterruptedException {
    return Await.awaitValue(n + " sessions remembered", Duration.ofSeconds(5),
        () -> p.scrape().value("pidless_sessions"), held -> held == n);
  }
}
