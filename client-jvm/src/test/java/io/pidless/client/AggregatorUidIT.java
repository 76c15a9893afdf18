package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.ProcessUser;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.TempSocketDir;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PIDLESS_AGGREGATOR_UID} (docs/PROTOCOL.md, "Transport"): a client that requires another uid
 * than the real aggregator's sends it nothing and logs one line; one that requires the right uid
 * delivers exactly. The aggregator is the real jar with deploy/'s JVM options.
 */
class AggregatorUidIT {
  private static final String HELLOS = "pidless_frames_received_total{type=\"hello\"}";

  private ClientLog log;
  private TempSocketDir dir;
  private AggregatorProcess aggregator;

  @BeforeEach
  void start() throws Exception {
    log = ClientLog.capture();
    dir = new TempSocketDir();
    aggregator = AggregatorProcess.start(AggregatorCommand.on(dir.socket()).deployed());
  }

  @AfterEach
  void stop() throws Exception {
    log.close();
    aggregator.close();
    dir.close();
  }

  private PidlessClient client(long requiredUid) {
    return PidlessClient.builder().socket(dir.socket()).aggregatorUid(requiredUid)
        .flushInterval(Duration.ofHours(1)).shutdownHook(false).shutdownTimeout(Duration.ofMillis(200)).build();
  }

  @Test
  void anAggregatorOfAnotherUidIsSentNothingAndLoggedOnce() throws Exception {
    long other = ProcessUser.uid() == 65534 ? 65533 : 65534;
    PidlessClient client = client(other);
    try {
      Counter.build().name("uid_refused").help("Never sent.").register(client).inc(5);
      assertFalse(client.flush(Duration.ofSeconds(2)));
      assertFalse(client.flush(Duration.ofSeconds(2)), "refused again on the retry");
    } finally {
      client.close();
    }
    List<String> warnings = log.warnings();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("pidless: refusing the aggregator at " + dir.socket()
        + ": the process behind it runs as " + System.getProperty("user.name") + ", not uid " + other + " as PIDLESS_AGGREGATOR_UID requires"),
        warnings.get(0));
    assertFalse(aggregator.scrape().has("uid_refused_total"));
    assertEquals(0.0, aggregator.scrape().value(HELLOS), "not even a HELLO reached it");
  }

  @Test
  void theRightUidDeliversExactly() throws Exception {
    PidlessClient client = client(ProcessUser.uid());
    try {
      Counter.build().name("uid_accepted").help("Sent.").register(client).inc(5);
      assertTrue(client.flush(Duration.ofSeconds(30)));
    } finally {
      client.close();
    }
    assertEquals(5.0, aggregator.scrape().value("uid_accepted_total"));
    assertEquals(List.of(), log.warnings());
  }

  @Test
  void aValueThatIsNotAUidRefusesWithTheFix() throws Exception {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(dir.socket()));
      AggregatorUid.fromEnvironment(Map.of()).check(ch, dir.socket());
      AggregatorUid.fromEnvironment(Map.of("PIDLESS_AGGREGATOR_UID", Long.toString(ProcessUser.uid())))
          .check(ch, dir.socket());
      AggregatorUid.Refused e = assertThrows(AggregatorUid.Refused.class,
          () -> AggregatorUid.fromEnvironment(Map.of("PIDLESS_AGGREGATOR_UID", "pidless")).check(ch, dir.socket()));
      assertTrue(e.getMessage().startsWith("pidless: PIDLESS_AGGREGATOR_UID=pidless is not a numeric uid"),
          e.getMessage());
    }
  }
}
