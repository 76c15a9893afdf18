package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.EOFException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Starting and stopping the real jar: flags, exit codes, the socket file, SIGTERM, idle expiry. */
class LifecycleIT {
  private TempSocketDir dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = new TempSocketDir();
  }

  @AfterEach
  void tearDown() throws Exception {
    dir.close();
  }

  @Test
  void helpExitsZeroAndBadFlagsExitTwoNamingTheFlag() throws Exception {
    AggregatorProcess help = AggregatorProcess.launch(AggregatorCommand.flags("--help"));
    assertEquals(0, help.waitFor());
    assertTrue(help.output().contains("Usage: java -jar pidless-aggregator.jar"), help.output());
    help.close();
    AggregatorProcess bad = AggregatorProcess.launch(AggregatorCommand.flags("--ttl", "forever"));
    assertEquals(2, bad.waitFor());
    assertTrue(bad.output().contains("--ttl: Invalid duration: forever"), bad.output());
    bad.close();
  }

  @Test
  void createsTheSocketDirectoryAndGivesTheSocketMode0660() throws Exception {
    Path socket = dir.path().resolve("run/pidless/p.sock");
    try (AggregatorProcess p = AggregatorProcess.start(socket)) {
      assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
      assertTrue(p.output().contains("listening on unix:" + socket), p.output());
      assertEquals(0, p.stop());
    }
    assertFalse(Files.exists(socket), "the socket file is removed on shutdown");
  }

  @Test
  void refusesASocketALiveAggregatorAnswersOn() throws Exception {
    try (AggregatorProcess first = AggregatorProcess.start(dir.socket())) {
      AggregatorProcess second = AggregatorProcess.launch(AggregatorCommand.on(dir.socket()));
      assertEquals(1, second.waitFor());
      assertTrue(second.output().contains("socket " + dir.socket()
          + " is in use by a live aggregator; pass --socket to use another path"), second.output());
      second.close();
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "still_total").add(1, 1, 1).sendAndAck(1);
      }
      assertEquals(1.0, first.scrape().value("still_total"), "the live one is untouched");
      assertEquals(0, first.stop());
    }
  }

  @Test
  void replacesAStaleSocketButNeverAnOrdinaryFile() throws Exception {
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(dir.socket()));
    }
    assertTrue(Files.exists(dir.socket()), "a crashed run leaves its socket file behind");
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket())) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
      }
      assertEquals(0, p.stop());
    }
    Files.writeString(dir.socket(), "not a socket");
    AggregatorProcess p = AggregatorProcess.launch(AggregatorCommand.on(dir.socket()));
    assertEquals(1, p.waitFor());
    assertTrue(p.output().contains("exists and is not a socket; refusing to replace it"), p.output());
    p.close();
    assertEquals("not a socket", Files.readString(dir.socket()));
  }

  @Test
  void sigtermAppliesAndAcknowledgesEveryFrameAlreadySentThenExitsZero() throws Exception {
    int batches = 3_000;
    AggregatorProcess p = AggregatorProcess.start(dir.socket());
    String log;
    try (TestClient c = new TestClient(dir.socket())) {
      c.hello();
      c.counter(1, "drain_total");
      for (int seq = 1; seq <= batches; seq++) {
        c.add(seq, 1, 1);
      }
      c.send();
      assertEquals(0, p.stop(), p.output());
      log = p.output();
      int acked = 0;
      try {
        while (true) {
          ServerFrame.Ack ack = assertInstanceOf(ServerFrame.Ack.class, c.read());
          assertEquals(++acked, ack.seq());
        }
      } catch (EOFException closed) {
        assertEquals(batches, acked, "every batch sent before SIGTERM was applied and acknowledged");
      }
    } finally {
      p.close();
    }
    assertTrue(log.contains("stopping: no new connections"), log);
    assertTrue(log.contains("INFO stopped"), log);
    assertFalse(Files.exists(dir.socket()));
  }

  @Test
  void idleSeriesExpireAndReturnAsAResetWithANewCreatedTime() throws Exception {
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket(), "--ttl", "1s")) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "idle_total").add(1, 1, 5).sendAndAck(1);
        double created = p.scrape().value("idle_created");
        assertEquals(5.0, p.scrape().value("idle_total"));
        Scrape gone = Await.awaitValue("idle_total expired after --ttl without writes", p::scrape,
            s -> !s.has("idle_total") && s.value("pidless_series_expired_total") > 0);
        assertEquals(1.0, gone.value("pidless_series_expired_total"));
        c.add(2, 1, 2).sendAndAck(2);
        Scrape back = p.scrape();
        assertEquals(2.0, back.value("idle_total"), "a delta after expiry starts a fresh series");
        assertNotEquals(created, back.value("idle_created"));
        assertTrue(back.value("idle_created") > created);
      }
      assertEquals(0, p.stop());
    }
  }
  @Test
  void aGracefulRestartRestoresTotalsAndSessionsAndACrashAfterItStartsFromZero() throws Exception {
    byte[] session = TestClient.newSession();
    Path state = dir.path().resolve("pidless.state");
    double created;
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket())) {
      try (TestClient c = new TestClient(dir.socket(), session)) {
        c.hello();
        c.counter(1, "kept_total", "stage", "parse");
        c.add(1, 1, 5).sendAndAck(1);
        c.add(2, 1, 7).sendAndAck(2);
      }
      created = p.scrape().value("kept_created{stage=\"parse\"}");
      assertEquals(0, p.stop(), p.output());
      assertTrue(p.output().contains("saved 1 series and 1 sessions to " + state), p.output());
    }
    assertTrue(Files.exists(state));
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket())) {
      assertTrue(p.output().contains("restored 1 series and 1 sessions from " + state), p.output());
      assertFalse(Files.exists(state), "consumed on start");
      Scrape restored = p.scrape();
      assertEquals(12.0, restored.value("kept_total{stage=\"parse\"}"), "the counter goes on: no reset");
      assertEquals(created, restored.value("kept_created{stage=\"parse\"}"), "same _created: not a new series");
      try (TestClient c = new TestClient(dir.socket(), session)) {
        c.hello();
        c.counter(1, "kept_total", "stage", "parse");
        assertEquals(Protocol.ACK_ALREADY_SETTLED, c.add(2, 1, 7).sendAndAck(2).outcome(),
            "a batch re-sent across the restart is not applied twice");
        assertEquals(Protocol.ACK_APPLIED, c.add(3, 1, 1).sendAndAck(3).outcome());
      }
      assertEquals(13.0, p.scrape().value("kept_total{stage=\"parse\"}"));
      p.crash();
    }
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket())) {
      assertFalse(p.scrape().has("kept_total{stage=\"parse\"}"), "after a crash: from zero, a plain counter reset,"
          + " never the stale save Prometheus would count twice");
      assertEquals(0, p.stop());
    }
  }

  @Test
  void aStartThatCannotOpenItsSocketKeepsTheStateFileForTheNextStart() throws Exception {
    Path state = dir.path().resolve("pidless.state");
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket())) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "waiting_total").add(1, 1, 9).sendAndAck(1);
      }
      assertEquals(0, p.stop());
    }
    Files.writeString(dir.socket(), "not a socket");
    try (AggregatorProcess p = AggregatorProcess.launch(AggregatorCommand.on(dir.socket()))) {
      assertEquals(1, p.waitFor());
      assertTrue(p.output().contains("restored 1 series"), p.output());
    }
    assertTrue(Files.exists(state), "saved back: no client could change what was restored");
    Files.delete(dir.socket());
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket())) {
      assertEquals(9.0, p.scrape().value("waiting_total"), "restored by the start that could open the socket");
      assertEquals(0, p.stop());
    }
  }

  @Test
  void stateFileOffKeepsNothingAcrossARestart() throws Exception {
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket(), "--state-file", "off")) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "forgotten_total").add(1, 1, 3).sendAndAck(1);
      }
      assertTrue(p.output().contains("state not kept"), p.output());
      assertEquals(0, p.stop());
    }
    try (var files = Files.list(dir.path())) {
      assertEquals(List.of(), files.toList(), "no state file, and the socket removed");
    }
  }

  @Test
  void anUnreadableStateFileIsMovedAsideAndTheAggregatorStartsEmpty() throws Exception {
    Path state = dir.path().resolve("custom.state");
    Files.writeString(state, "left here by something else entirely, and long enough to be read");
    try (AggregatorProcess p = AggregatorProcess.start(dir.socket(), "--state-file", state.toString())) {
      assertTrue(p.output().contains("file " + state + " is not a pidless state file; moved it to " + state
          + ".unreadable and starting empty"), p.output());
      assertEquals(0, p.scrape().value("pidless_series"));
      assertEquals(0, p.stop());
    }
    assertTrue(Files.readString(state.resolveSibling("custom.state.unreadable")).startsWith("left here"));
    assertTrue(Files.exists(state), "the graceful stop saved a good one in its place");
  }
}
