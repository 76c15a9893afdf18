package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.InProcessAggregator;
import io.pidless.aggregator.TestClient;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads the worked example out of docs/PROTOCOL.md, so the document cannot drift from the code. */
class ProtocolExampleTest {
  /** The leading hex bytes of each line; the rest of a line is commentary. */
  private static byte[] hexOf(String block) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String line : block.split("\n")) {
      for (String token : line.trim().split("\\s+")) {
        if (!token.matches("[0-9a-f]{2}")) {
          break;
        }
        out.write(HexFormat.of().parseHex(token)[0]);
      }
    }
    return out.toByteArray();
  }

  @Test
  void documentedBytesAreWhatTheFrameWriterProducesAndTheAggregatorAccepts() throws Exception {
    List<String> blocks = ProtocolDoc.codeBlocksAfter("## Worked example");
    byte[] documented = hexOf(blocks.get(0));

    FrameWriter w = new FrameWriter();
    w.hello(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"), "pidless/1");
    w.define(1, MetricType.COUNTER, null, "etl_records_total", "Records", new String[] {"stage"},
        new String[] {"parse"}, null);
    w.define(2, MetricType.HISTOGRAM, null, "etl_parse_seconds", "Pars", new String[0], new String[0],
        new double[] {0.1, 1});
    w.beginFrame(FrameType.BATCH).varint(1).varint(2).varint(1).f64(3).varint(2).varint(2).varint(1).varint(0)
        .f64(0.5).endFrame();
    assertArrayEquals(w.toByteArray(), documented, "docs/PROTOCOL.md worked example differs from FrameWriter");

    try (InProcessAggregator agg = new InProcessAggregator()) {
      try (TestClient c = new TestClient(agg.socket())) {
        c.sendRaw(documented);
        ServerFrame.HelloOk ok = (ServerFrame.HelloOk) c.read();
        assertEquals(Protocol.VERSION, ok.version());
        assertEquals(Protocol.DEFAULT_MAX_FRAME_BYTES, ok.maxFrameBytes());
        assertEquals(0, ok.lastSeq());
        assertEquals(new ServerFrame.Ack(1, Protocol.ACK_APPLIED), c.read());
      }
      String body = agg.scrape().body();
      for (String line : blocks.get(2).trim().split("\n")) {
        assertTrue(body.contains(line + "\n"), line + " not in\n" + body);
      }
      try (TestClient again = new TestClient(agg.socket(), HexFormat.of().parseHex("00112233445566778899aabbccddeeff"))) {
        again.sendRaw(documented);
        assertEquals(1, ((ServerFrame.HelloOk) again.read()).lastSeq());
        assertEquals(new ServerFrame.Ack(1, Protocol.ACK_ALREADY_SETTLED), again.read());
      }
      assertEquals(3.0, agg.scrape().value("etl_records_total{stage=\"parse\"}"));
    }
  }
}
