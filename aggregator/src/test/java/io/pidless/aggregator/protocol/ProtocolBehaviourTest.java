package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.InProcessAggregator;
import io.pidless.aggregator.TestClient;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import java.io.IOException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The protocol as a client sees it, over a real Unix socket to the real server. */
class ProtocolBehaviourTest {
  private InProcessAggregator agg;

  @BeforeEach
  void start() throws IOException {
    agg = new InProcessAggregator(b -> b.maxConnections(8));
  }

  @AfterEach
  void stop() throws IOException {
    agg.close();
  }

  private static ServerFrame.Error expectError(TestClient c, ErrorCode code) throws IOException {
    ServerFrame f = c.read();
    ServerFrame.Error e = assertInstanceOf(ServerFrame.Error.class, f);
    assertEquals(code, e.code(), e.message());
    return e;
  }

  /** Sends {@code bad} on a fresh connection and checks it is answered {@code code} and closed. */
  private void assertViolation(ErrorCode code, boolean hello, Consumer<FrameWriter> bad) throws IOException {
    try (TestClient c = new TestClient(agg.socket())) {
      if (hello) {
        c.hello();
      }
      bad.accept(c.writer());
      c.send();
      expectError(c, code);
      assertTrue(c.closedByPeer(), code + " must close the connection");
    }
  }

  /** Found by DefineDecoderFuzzTest: a count of 2^63 or more used to size a negative array. */
  @Test
  void aCountOf2To63OrMoreIsAMalformedFrameAnsweredAndCounted() throws Exception {
    assertViolation(ErrorCode.MALFORMED_FRAME, true, w -> w.beginFrame(FrameType.DEFINE).varint(1)
        .u8(MetricType.HISTOGRAM.code()).u8(0).string("h").string("").varint(0).varint(-1L).f64(1).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true, w -> w.beginFrame(FrameType.DEFINE).varint(1)
        .u8(MetricType.COUNTER.code()).u8(0).string("c").string("").varint(Long.MIN_VALUE).endFrame());
    Scrape s = agg.scrape();
    assertEquals(2.0, s.value("pidless_protocol_errors_total{code=\"" + ErrorCode.MALFORMED_FRAME.label() + "\"}"));
  }

  @Test
  void everyMalformedInputClosesOnlyItsOwnConnection() throws Exception {
    TestClient good = agg.client();
    good.counter(1, "ok_total");
    long seq = 0;
    good.add(++seq, 1, 1).sendAndAck(seq);

    assertViolation(ErrorCode.BAD_HANDSHAKE, false, w -> w.beginFrame(FrameType.BATCH).varint(1).varint(0).endFrame());
    assertViolation(ErrorCode.BAD_HANDSHAKE, true, w -> w.hello(new byte[16], "twice"));
    assertViolation(ErrorCode.UNSUPPORTED_VERSION, false,
        w -> w.beginFrame(FrameType.HELLO).u8(2).bytes(new byte[16]).string("v2").endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, false,
        w -> w.beginFrame(FrameType.HELLO).u8(1).bytes(new byte[10]).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true,
        w -> w.beginFrame(FrameType.DEFINE).varint(1).u8(1).u8(0).varint(50).bytes("short".getBytes()).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true,
        w -> w.beginFrame(FrameType.DEFINE).varint(1).u8(1).u8(0).varint(2).bytes(new byte[] {(byte) 0xC3, 0x28})
            .string("").varint(0).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true,
        w -> w.beginFrame(FrameType.DEFINE).varint(1).u8(1).u8(0).string("x").string("").varint(0).u8(9).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true, w -> {
      w.beginFrame(FrameType.BATCH);
      for (int i = 0; i < 11; i++) {
        w.u8(0xFF);
      }
      w.u8(0).endFrame();
    });
    assertViolation(ErrorCode.MALFORMED_FRAME, true, w -> w.beginFrame(FrameType.BATCH).varint(0).varint(1).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true, w -> w.u8(0).u8(0).u8(0).u8(0).u8(1));
    assertViolation(ErrorCode.UNKNOWN_FRAME_TYPE, true, w -> w.u8(0).u8(0).u8(0).u8(1).u8(0x42));
    assertViolation(ErrorCode.FRAME_TOO_LARGE, true, w -> w.u8(0x7F).u8(0).u8(0).u8(0).u8(3));
    assertViolation(ErrorCode.UNKNOWN_SERIES_ID, true, w -> w.beginFrame(FrameType.BATCH).varint(1).varint(1)
        .varint(9).f64(1).endFrame());
    assertViolation(ErrorCode.DUPLICATE_SERIES_ID, true, w -> {
      w.define(1, MetricType.COUNTER, null, "a_total", "", new String[0], new String[0], null);
      w.define(1, MetricType.COUNTER, null, "b_total", "", new String[0], new String[0], null);
    });
    assertViolation(ErrorCode.DUPLICATE_SERIES_ID, true,
        w -> w.define(0, MetricType.COUNTER, null, "a_total", "", new String[0], new String[0], null));
    assertViolation(ErrorCode.DUPLICATE_SERIES_ID, true, w -> w.beginFrame(FrameType.DEFINE).varint(1L << 31).u8(1)
        .u8(0).string("a_total").string("").varint(0).endFrame());
    assertViolation(ErrorCode.MALFORMED_FRAME, true, w -> {
      w.define(1, MetricType.COUNTER, null, "a_total", "", new String[0], new String[0], null);
      w.beginFrame(FrameType.BATCH).varint(1).varint(1).varint(1).u8(0x40).endFrame();
    });

    good.add(++seq, 1, 1).sendAndAck(seq);
    good.close();
    Scrape s = agg.scrape();
    assertEquals(2.0, s.value("ok_total"), "the good connection lost nothing");
    assertEquals(1.0, s.value("pidless_protocol_errors_total{code=\"unknown_series_id\"}"));
    assertEquals(3.0, s.value("pidless_protocol_errors_total{code=\"bad_handshake\"}") + s.value(
        "pidless_protocol_errors_total{code=\"unsupported_version\"}"));
    assertEquals(8.0, s.value("pidless_protocol_errors_total{code=\"malformed_frame\"}"));
  }

  @Test
  void rejectedDefinitionIsReportedAndTheConnectionGoesOn() throws Exception {
    try (TestClient c = agg.client()) {
      c.counter(1, "bad-name").counter(2, "good_total").send();
      ServerFrame.Error e = expectError(c, ErrorCode.INVALID_NAME);
      assertEquals(1, e.ref(), "ref names the series id");
      assertTrue(e.message().contains("bad-name"), e.message());
      c.beginBatch(1, 2).varint(1).f64(5).varint(2).f64(7);
      c.endBatch().sendAndAck(1);
    }
    Scrape s = agg.scrape();
    assertEquals(7.0, s.value("good_total"));
    assertEquals(1.0, s.value("pidless_deltas_dropped_total{reason=\"rejected_series\"}"));
    assertEquals(1.0, s.value("pidless_rejections_total{reason=\"invalid_name\"}"));
  }

  @Test
  void definitionsBeyondTheSeriesLimitAreRejectedAndTheConnectionKeepsDelivering() throws Exception {
    try (InProcessAggregator small = new InProcessAggregator(b -> b.maxSeries(2));
        TestClient c = new TestClient(small.socket())) {
      c.hello();
      c.counter(1, "many_total", "i", "0").counter(2_000_000_000, "many_total", "i", "1")
          .counter(3, "many_total", "i", "2").send();
      ServerFrame.Error e = expectError(c, ErrorCode.SERIES_LIMIT);
      assertEquals(3, e.ref());
      assertTrue(e.message().contains("raise --max-series"), e.message());
      c.beginBatch(1, 3).varint(1).f64(1).varint(2_000_000_000).f64(2).varint(3).f64(4);
      c.endBatch().sendAndAck(1);
      Scrape s = small.scrape();
      assertEquals(1.0, s.value("many_total{i=\"0\"}"));
      assertEquals(2.0, s.value("many_total{i=\"1\"}"));
      assertEquals(1.0, s.value("pidless_deltas_dropped_total{reason=\"rejected_series\"}"));
      assertEquals(1.0, s.value("pidless_rejections_total{reason=\"series_limit\"}"));
    }
  }

  @Test
  void typeClashReportsBothSidesAndTheFirstDefinerKeepsWorking() throws Exception {
    try (TestClient first = agg.client(); TestClient second = agg.client()) {
      first.counter(1, "records_total", "stage", "a").add(1, 1, 3).sendAndAck(1);
      second.gauge(1, GaugeMode.SUM, "records_total", "stage", "a").send();
      ServerFrame.Error e = expectError(second, ErrorCode.TYPE_CLASH);
      assertTrue(e.message().contains("counter records"), e.message());
      first.add(2, 1, 4).sendAndAck(2);
    }
    assertEquals(7.0, agg.scrape().value("records_total{stage=\"a\"}"));
  }

  @Test
  void invalidBatchIsRejectedWholeAndItsSeqIsSettled() throws Exception {
    try (TestClient c = agg.client()) {
      c.counter(1, "n_total").gauge(2, GaugeMode.SUM, "g").send();
      c.beginBatch(1, 2).varint(2).f64(10).varint(1).f64(-1);
      c.endBatch().send();
      ServerFrame.Error e = expectError(c, ErrorCode.INVALID_VALUE);
      assertEquals(1, e.ref(), "ref names the batch seq");
      assertTrue(e.message().contains("counter increment -1.0"), e.message());
      c.add(1, 2, 10);
      assertEquals(Protocol.ACK_ALREADY_SETTLED, c.sendAndAck(1).outcome(), "a rejected seq is settled");
      c.beginBatch(2, 1).varint(1).f64(Double.NaN);
      c.endBatch().send();
      expectError(c, ErrorCode.INVALID_VALUE);
      c.add(3, 1, 2).sendAndAck(3);
    }
    Scrape s = agg.scrape();
    assertEquals(0.0, s.value("g"), "nothing of a rejected batch applies");
    assertEquals(2.0, s.value("n_total"));
    assertEquals(2.0, s.value("pidless_rejections_total{reason=\"invalid_value\"}"));
  }

  @Test
  void batchReSentAfterReconnectIsAcknowledgedButNotAppliedTwice() throws Exception {
    byte[] session = TestClient.newSession();
    try (TestClient c = new TestClient(agg.socket(), session)) {
      assertEquals(0, c.hello().lastSeq());
      c.counter(1, "once_total").add(1, 1, 5).add(2, 1, 6).send();
      assertEquals(Protocol.ACK_APPLIED, ((ServerFrame.Ack) c.read()).outcome());
      assertEquals(Protocol.ACK_APPLIED, ((ServerFrame.Ack) c.read()).outcome());
    }
    try (TestClient c = new TestClient(agg.socket(), session)) {
      ServerFrame.HelloOk ok = c.hello();
      assertEquals(2, ok.lastSeq(), "HELLO_OK tells the client what is settled");
      c.counter(1, "once_total").add(2, 1, 6);
      assertEquals(Protocol.ACK_ALREADY_SETTLED, c.sendAndAck(2).outcome());
      c.add(3, 1, 1);
      assertEquals(Protocol.ACK_APPLIED, c.sendAndAck(3).outcome());
    }
    Scrape s = agg.scrape();
    assertEquals(12.0, s.value("once_total"));
    assertEquals(1.0, s.value("pidless_acks_sent_total{outcome=\"already_settled\"}"));
  }

  @Test
  void newerConnectionTakesOverTheSession() throws Exception {
    byte[] session = TestClient.newSession();
    try (TestClient old = new TestClient(agg.socket(), session)) {
      old.hello();
      old.counter(1, "t_total").add(1, 1, 1).sendAndAck(1);
      try (TestClient newer = new TestClient(agg.socket(), session)) {
        assertEquals(1, newer.hello().lastSeq());
        expectError(old, ErrorCode.SESSION_TAKEN_OVER);
        assertTrue(old.closedByPeer());
        newer.counter(1, "t_total").add(2, 1, 1).sendAndAck(2);
      }
    }
    assertEquals(2.0, agg.scrape().value("t_total"));
  }

  @Test
  void connectionsBeyondTheLimitAreRefusedWithAReason() throws Exception {
    TestClient[] open = new TestClient[8];
    for (int i = 0; i < open.length; i++) {
      open[i] = agg.client();
    }
    try (TestClient extra = new TestClient(agg.socket())) {
      ServerFrame.Error e = expectError(extra, ErrorCode.CONNECTION_LIMIT);
      assertTrue(e.message().contains("--max-connections"), e.message());
      assertTrue(extra.closedByPeer());
    }
    open[0].close();
    awaitValue("pidless_connections_open", 7.0);
    try (TestClient again = agg.client()) {
      again.counter(1, "after_total").add(1, 1, 1).sendAndAck(1);
    }
    for (TestClient c : open) {
      c.close();
    }
  }

  @Test
  void liveGaugeValueLeavesWithItsConnection() throws Exception {
    TestClient a = agg.client();
    try (TestClient b = agg.client()) {
      a.gauge(1, GaugeMode.LIVESUM, "busy_workers").add(1, 1, 2).sendAndAck(1);
      b.gauge(1, GaugeMode.LIVESUM, "busy_workers").add(1, 1, 3).sendAndAck(1);
      assertEquals(5.0, agg.scrape().value("busy_workers"));
    }
    awaitValue("busy_workers", 2.0);
    a.close();
    awaitValue("busy_workers", 0.0);
  }

  /** Waits until the scraped {@code series} is {@code expected}: a close is handled after the client sees it. */
  private void awaitValue(String series, double expected) throws Exception {
    Await.awaitValue(series + " = " + expected, () -> agg.scrape().value(series), v -> v == expected);
  }

  @Test
  void scrapeFiltersByNameAndEscapesLabelValues() throws Exception {
    try (TestClient c = agg.client()) {
      c.counter(1, "f_total", "path", "C:\\tmp \"x\"\nend").gauge(2, GaugeMode.LAST, "other").add(1, 1, 3)
          .sendAndAck(1);
    }
    Scrape all = agg.scrape();
    assertEquals(3.0, all.value("f_total{path=\"C:\\\\tmp \\\"x\\\"\\nend\"}"));
    Scrape only = Scrape.of(agg.port(), "name[]=f_total&name[]=pidless_series", null, false);
    assertEquals(java.util.Set.of("f_total{path=\"C:\\\\tmp \\\"x\\\"\\nend\"}", "pidless_series"),
        only.samples().keySet());
  }

  @Test
  void pipelinedBatchesAreAnsweredInOrder() throws Exception {
    try (TestClient c = agg.client()) {
      c.counter(1, "p_total").histogram(2, "p_seconds", new double[] {1, 10}).summary(3, "p_bytes");
      for (int seq = 1; seq <= 200; seq++) {
        c.beginBatch(seq, 3).varint(1).f64(1).varint(2).varint(1).varint(0).varint(1).f64(20.5).varint(3).varint(2)
            .f64(3);
        c.endBatch();
      }
      c.send();
      for (int seq = 1; seq <= 200; seq++) {
        ServerFrame.Ack ack = assertInstanceOf(ServerFrame.Ack.class, c.read());
        assertEquals(seq, ack.seq());
      }
    }
    Scrape s = agg.scrape();
    assertEquals(200.0, s.value("p_total"));
    assertEquals(200.0, s.value("p_seconds_bucket{le=\"1.0\"}"));
    assertEquals(200.0, s.value("p_seconds_bucket{le=\"10.0\"}"));
    assertEquals(400.0, s.value("p_seconds_bucket{le=\"+Inf\"}"));
    assertEquals(400.0, s.value("p_seconds_count"));
    assertEquals(4100.0, s.value("p_seconds_sum"));
    assertEquals(400.0, s.value("p_bytes_count"));
    assertEquals(600.0, s.value("p_bytes_sum"));
  }
}
