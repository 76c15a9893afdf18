package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each connection is counted once, in the one count {@code --max-connections} is checked against and
 * {@code pidless_connections_open} shows: against the jar under deploy/'s JVM options, the gauge follows
 * connections opened, refused and closed exactly, and a slot freed by a close is given to the next client.
 */
@Timeout(30)
class ConnectionCountIT {
  @Test
  void theOpenConnectionGaugeCountsEachConnectionOnceAndIsTheCountTheLimitUses() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(
            AggregatorCommand.on(dir.socket(), "--max-connections", "3").deployed())) {
      List<TestClient> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        TestClient c = new TestClient(dir.socket());
        c.hello();
        held.add(c);
      }
      Scrape full = agg.scrape();
      assertEquals(3, full.value("pidless_connections_open"));
      assertEquals(3, full.value("pidless_connections_limit"));
      assertEquals(3, full.value("pidless_connections_total"));

      try (TestClient refused = new TestClient(dir.socket())) {
        ServerFrame.Error e = assertInstanceOf(ServerFrame.Error.class, refused.read());
        assertEquals(ErrorCode.CONNECTION_LIMIT, e.code(), e.message());
        assertTrue(refused.closedByPeer());
      }
      held.remove(0).close();
      awaitOpen(agg, 2);

      try (TestClient next = new TestClient(dir.socket())) {
        next.hello();
        next.counter(1, "after_total").add(1, 1, 5).sendAndAck(1);
        Scrape s = agg.scrape();
        assertEquals(3, s.value("pidless_connections_open"));
        assertEquals(5, s.value("pidless_connections_total"), "three held, one refused, one after a close");
        assertEquals(5, s.value("after_total"));
      }
      for (TestClient c : held) {
        c.close();
      }
      awaitOpen(agg, 0);
      assertEquals(1, agg.scrape().value("pidless_protocol_errors_total{code=\"connection_limit\"}"));
    }
  }

  /** The aggregator counts a close when it sees it, a moment after the client's. */
  private static void awaitOpen(AggregatorProcess agg, double expected) throws Exception {
    Await.awaitValue("pidless_connections_open " + expected, () -> agg.scrape().value("pidless_connections_open"),
        open -> open == expected);
  }
}
