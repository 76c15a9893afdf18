package io.pidless.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameWriterTest {
  private static String hex(FrameWriter w) {
    return HexFormat.ofDelimiter(" ").formatHex(w.toByteArray());
  }

  @Test
  void varintsAreUnsignedLeb128() {
    long[] values = {0, 1, 127, 128, 300, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1};
    String[] expected = {"00", "01", "7f", "80 01", "ac 02", "ff 7f", "80 80 01", "ff ff ff ff 07",
        "ff ff ff ff ff ff ff ff 7f", "ff ff ff ff ff ff ff ff ff 01"};
    for (int i = 0; i < values.length; i++) {
      FrameWriter w = new FrameWriter(16).varint(values[i]);
      assertEquals(expected[i], hex(w), "varint " + values[i]);
      assertEquals(values[i], Varint.read(ByteBuffer.wrap(w.toByteArray())::get));
    }
  }

  @Test
  void framesCarryTheirLengthAndGrowTheBuffer() {
    FrameWriter w = new FrameWriter(16);
    w.beginFrame(FrameType.BATCH).varint(7).varint(1).varint(3).f64(1.5);
    assertEquals(12, w.endFrame());
    assertEquals("00 00 00 0c 03 07 01 03 3f f8 00 00 00 00 00 00", hex(w));
    String big = "x".repeat(5000);
    w.beginFrame(FrameType.DEFINE).string(big).endFrame();
    ByteBuffer b = ByteBuffer.wrap(w.toByteArray());
    b.position(16);
    assertEquals(1 + 2 + 5000, b.getInt());
  }

  @Test
  void misuseFailsFast() {
    FrameWriter w = new FrameWriter();
    assertThrows(IllegalStateException.class, w::endFrame);
    w.beginFrame(FrameType.BATCH);
    assertThrows(IllegalStateException.class, () -> w.beginFrame(FrameType.BATCH));
    assertThrows(IllegalArgumentException.class, () -> new FrameWriter().hello(new byte[3], "x"));
  }

  @Test
  void serverFramesParseAndRejectTrailingBytes() throws Exception {
    ByteBuffer ack = ByteBuffer.wrap(new byte[] {(byte) 0x82, 0x05, 0x01});
    assertEquals(new ServerFrame.Ack(5, Protocol.ACK_ALREADY_SETTLED), ServerFrame.parse(ack));
    ByteBuffer trailing = ByteBuffer.wrap(new byte[] {(byte) 0x82, 0x05, 0x01, 0x00});
    assertThrows(java.io.IOException.class, () -> ServerFrame.parse(trailing));
    ByteBuffer truncated = ByteBuffer.wrap(new byte[] {(byte) 0x81, 0x01});
    assertThrows(java.io.IOException.class, () -> ServerFrame.parse(truncated));
  }

  @Test
  void defineEncodesLabelsAndBounds() {
    FrameWriter w = new FrameWriter();
    w.define(2, MetricType.HISTOGRAM, null, "h", "", new String[] {"a"}, new String[] {"b"}, new double[] {1});
    assertArrayEquals(HexFormat.ofDelimiter(" ").parseHex(
        "00 00 00 15 02 02 03 00 01 68 00 01 01 61 01 62 01 3f f0 00 00 00 00 00 00"), w.toByteArray());
  }
}
