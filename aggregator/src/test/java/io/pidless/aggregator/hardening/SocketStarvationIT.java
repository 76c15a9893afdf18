package io.pidless.aggregator.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.TestClient;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, item 4 on the Unix socket, against the jar under deploy/'s JVM options with short
 * timeouts: half-sent frames, connections that never say HELLO or sit idle, one uid taking every slot,
 * and a client that never reads its ACKs. Each is closed or refused and counted, while a good client's
 * totals stay exact.
 */
@Timeout(30)
class SocketStarvationIT {
  private static final String[] TIMEOUTS = {"--frame-timeout", "1s", "--idle-timeout", "2s"};
  private static final String FRAME_TIMEOUTS = "pidless_protocol_errors_total{code=\"frame_timeout\"}";
  private static final String IDLE_CLOSES = "pidless_connections_closed_total{reason=\"idle_timeout\"}";

  @Test
  void halfSentFramesAndSilentConnectionsAreClosedAfterTheFrameTimeout() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.on(dir.socket(), "--frame-timeout", "1s")
            .deployed());
        TestClient good = connected(dir)) {
      good.counter(1, "good_total");
      List<TestClient> attackers = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        TestClient t = new TestClient(dir.socket());
        attackers.add(t);
        if (i % 2 == 0) {
          t.sendRaw(new byte[] {0, 0, 0, 40, 1, 1});   // a HELLO of 40 bytes, 2 sent
        }
      }
      long[] seq = {0};
      Await.awaitValue("all 200 attackers closed by --frame-timeout, while the good client delivers",
          Duration.ofSeconds(20), () -> {
            good.add(++seq[0], 1, 1).sendAndAck(seq[0]);
            return agg.scrape().value(FRAME_TIMEOUTS);
          }, v -> v >= 200);
      for (TestClient t : attackers) {
        ServerFrame.Error e = assertInstanceOf(ServerFrame.Error.class, t.read());
        assertEquals(ErrorCode.FRAME_TIMEOUT, e.code(), e.message());
        assertTrue(t.closedByPeer());
        t.close();
      }
      Scrape s = agg.scrape();
      assertEquals(seq[0], s.value("good_total"));
      assertEquals(200, s.value(FRAME_TIMEOUTS));
    }
  }

  @Test
  void idleConnectionsAreClosedQuietlyUnlessTheyHoldALiveGauge() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.on(dir.socket(), TIMEOUTS).deployed());
        TestClient idle = connected(dir);
        TestClient live = connected(dir)) {
      idle.counter(1, "idle_total").add(1, 1, 5).sendAndAck(1);
      live.gauge(1, GaugeMode.LIVESUM, "workers").add(1, 1, 3).sendAndAck(1);
      assertTrue(idle.closedByPeer(), "no ERROR before an idle close, only the end of the stream");
      assertEquals(1, agg.scrape().value(IDLE_CLOSES), "closed by --idle-timeout");
      assertEquals(0, agg.scrape().value(FRAME_TIMEOUTS), "not by --frame-timeout: it had said HELLO");
      try (TestClient later = connected(dir)) {   // idles out twice as late as the live gauge's writer would
        assertTrue(later.closedByPeer());
        assertEquals(2, agg.scrape().value(IDLE_CLOSES));
      }
      live.add(2, 1, 4).sendAndAck(2);   // the live gauge's writer is still connected
      try (TestClient again = new TestClient(dir.socket(), idle.session())) {
        assertEquals(1, again.hello().lastSeq(), "the idle client's session is remembered");
        again.counter(1, "idle_total").add(2, 1, 2).sendAndAck(2);
      }
      Scrape s = agg.scrape();
      assertEquals(7, s.value("idle_total"));
      assertEquals(4, s.value("workers"));
      assertEquals(2, s.value(IDLE_CLOSES));
    }
  }

  @Test
  void oneUidCannotTakeMoreThanItsShareOfConnections() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.on(dir.socket(),
            "--max-connections", "40", "--max-connections-per-uid", "30").deployed())) {
      List<TestClient> held = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        TestClient t = new TestClient(dir.socket());
        t.hello();
        held.add(t);
      }
      try (TestClient refused = new TestClient(dir.socket())) {
        ServerFrame.Error e = assertInstanceOf(ServerFrame.Error.class, refused.read());
        assertEquals(ErrorCode.CONNECTION_LIMIT, e.code());
        assertTrue(e.message().contains("--max-connections-per-uid"), e.message());
      }
      held.remove(0).close();
      // The aggregator frees the slot when it sees the close, before the open count falls.
      Await.awaitValue("the refused and the closed connection seen closed",
          () -> agg.scrape().value("pidless_connections_open"), v -> v == held.size());
      try (TestClient g = new TestClient(dir.socket())) {
        g.hello();
        g.counter(1, "good_total").add(1, 1, 2).sendAndAck(1);
      }
      Scrape s = agg.scrape();
      assertEquals(2, s.value("good_total"));
      assertTrue(s.value("pidless_connections_closed_total{reason=\"uid_connection_limit\"}") >= 1);
      for (TestClient t : held) {
        t.close();
      }
    }
  }

  /**
   * The other half of the per-uid limit: another user still gets in while one holds its share. Needs
   * root, to run a client as uid 65534 (nobody) with setpriv; skipped otherwise.
   */
  @Test
  void anotherUidStillConnectsWhileOneHoldsItsShare() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(SETPRIV),
        "needs root and " + SETPRIV + " to connect as another uid");
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.on(dir.socket(), "--max-connections", "40",
            "--max-connections-per-uid", "30", "--socket-mode", "0666").deployed())) {
      Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwx--x--x"));
      List<TestClient> held = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        held.add(connected(dir));
      }
      Process nobody = new ProcessBuilder(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
          "/usr/bin/python3", "-c", NOBODY_CLIENT, dir.socket().toString()).redirectErrorStream(true).start();
      assertTrue(nobody.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the client as nobody hung");
      String out = new String(nobody.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, nobody.exitValue(), out);
      Scrape s = agg.scrape();
      assertEquals(9, s.value("nobody_total"), out);
      assertEquals(0, s.value("pidless_connections_closed_total{reason=\"uid_connection_limit\"}"));
      for (TestClient t : held) {
        t.close();
      }
    }
  }

  /** HELLO, DEFINE counter nobody_total, BATCH +9, and expect HELLO_OK (0x81) then ACK (0x82). */
  private static final String NOBODY_CLIENT = String.join("\n",
      "import os, socket, struct, sys",
      "def frame(t, p): return struct.pack('>IB', len(p) + 1, t) + p",
      "def s(b): return bytes([len(b)]) + b",
      "c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); c.settimeout(10)",
      "c.sendall(frame(1, bytes([1]) + os.urandom(16) + s(b'nobody'))"
          + " + frame(2, bytes([1, 1, 0]) + s(b'nobody_total') + s(b'h') + bytes([0]))"
          + " + frame(3, bytes([1, 1, 1]) + struct.pack('>d', 9.0)))",
      "got = b''",
      "while len(got) < 4 + 15 + 4 + 3: got += c.recv(100)",
      "assert got[4] == 0x81 and got[4 + 15 + 4] == 0x82, got",
      "print('ok')");
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  /**
   * Backpressure, then the --frame-timeout half of the UNREAD_ANSWERS rule: with --max-unread-bytes at
   * 4 MiB, reading stops at 2 MiB of unread answers, below the cap even with one more read's answers,
   * so the close comes from not reading for --frame-timeout (MemoryBudgetIT closes at the cap).
   */
  @Test
  void aClientThatNeverReadsItsAcksIsNoLongerReadAndThenClosed() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.on(dir.socket(), "--frame-timeout", "1s",
            "--idle-timeout", "2s", "--max-unread-bytes", String.valueOf(4 << 20)).deployed());
        SocketChannel hog = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      hog.connect(UnixDomainSocketAddress.of(dir.socket()));
      ByteBuffer hello = helloAndCounter();
      while (hello.hasRemaining()) {
        hog.write(hello);
      }
      hog.configureBlocking(false);
      Hog writing = new Hog(hog);
      Await.awaitTrue("the aggregator closed a client that reads no ACK", Duration.ofSeconds(20),
          () -> writing.writeSomeOrClosed() || writing.written >= 64L << 20);
      assertTrue(writing.written < 16L << 20, "the aggregator kept reading a client that reads no ACK: "
          + writing.written + " bytes");
      assertTrue(writing.stalled, "its frames were read on until the close, as at the cap, not stopped first");
      try (TestClient good = new TestClient(dir.socket())) {
        good.hello();
        good.counter(1, "good_total").add(1, 1, 3).sendAndAck(1);
      }
      Scrape s = agg.scrape();
      assertEquals(3, s.value("good_total"));
      assertEquals(1, s.value("pidless_protocol_errors_total{code=\"unread_answers\"}"), "counted once, by its code");
    }
  }

  /** Writes one-delta batches without reading an answer, until the aggregator closes it. */
  private static final class Hog {
    private final SocketChannel channel;
    private ByteBuffer batch = ByteBuffer.allocate(0);
    private long seq = 1;
    long written;
    /** True once a write took nothing: the socket was full, the aggregator had stopped reading it. */
    boolean stalled;

    Hog(SocketChannel nonBlocking) {
      this.channel = nonBlocking;
    }

    /** Writes what the socket takes now; true once the write fails: the aggregator closed it. */
    boolean writeSomeOrClosed() {
      if (!batch.hasRemaining()) {
        batch = oneDeltaBatches(seq, 4096);
        seq += 4096;
      }
      try {
        int n = channel.write(batch);
        written += n;
        stalled |= n == 0;
        return false;
      } catch (java.io.IOException closed) {
        return true;
      }
    }
  }

  /** A client that said HELLO at once, as a good one does, well within --frame-timeout. */
  private static TestClient connected(TempSocketDir dir) throws java.io.IOException {
    TestClient c = new TestClient(dir.socket());
    c.hello();
    return c;
  }

  private static ByteBuffer helloAndCounter() {
    io.pidless.protocol.FrameWriter w = new io.pidless.protocol.FrameWriter();
    w.hello(TestClient.newSession(), "hog");
    w.define(1, io.pidless.protocol.MetricType.COUNTER, null, "hog_total", "h", new String[0], new String[0],
        new double[0]);
    return ByteBuffer.wrap(w.toByteArray());
  }

  private static ByteBuffer oneDeltaBatches(long firstSeq, int count) {
    io.pidless.protocol.FrameWriter w = new io.pidless.protocol.FrameWriter();
    for (long seq = firstSeq; seq < firstSeq + count; seq++) {
      w.beginFrame(io.pidless.protocol.FrameType.BATCH).varint(seq).varint(1).varint(1).f64(1);
      w.endFrame();
    }
    return ByteBuffer.wrap(w.toByteArray());
  }
}
