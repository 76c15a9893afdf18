package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.ServerFrame;
import io.pidless.protocol.Varint;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The one varint rule of docs/PROTOCOL.md ("Varints"), row by row, on both halves of the codec: the
 * aggregator's {@link Payload} reading client frames from Netty buffers and {@link FrameBytes} reading
 * BATCH payloads from arrays, and the JVM client's
 * {@link FrameWriter} and {@link ServerFrame} writing and reading NIO buffers. The Python client's
 * tests/test_protocol.py reads the same rows.
 */
class VarintTest {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  @Test
  void documentedVarintsReadTheSameOnBothEnds() throws IOException {
    int checked = 0;
    for (ProtocolDoc.Row row : ProtocolDoc.rows("| bytes | value |")) {
      byte[] bytes = HEX.parseHex(row.cell("bytes"));
      String value = row.cell("value");
      if (value.startsWith("malformed")) {
        assertMalformed(row, bytes);
        continue;
      }
      long expected = Long.parseUnsignedLong(value.split(",")[0]);
      ByteBuf server = Unpooled.wrappedBuffer(bytes);
      assertEquals(expected, Payload.varint(server, "x"), row.where() + ": aggregator's Payload.varint");
      assertFalse(server.isReadable(), row.where() + ": aggregator left bytes unread");
      for (int trailing = 0; trailing <= 1; trailing++) {
        FrameBytes batch = new FrameBytes();
        batch.load(Unpooled.wrappedBuffer(Arrays.copyOf(bytes, bytes.length + trailing)));
        assertEquals(expected, batch.varint("x"), row.where() + ": aggregator's FrameBytes.varint (BATCH)");
        assertEquals(trailing, batch.remaining(), row.where() + ": FrameBytes read the varint's bytes only");
      }
      ByteBuffer ack = ByteBuffer.allocate(bytes.length + 2).put((byte) 0x82).put(bytes).put((byte) 0);
      assertEquals(new ServerFrame.Ack(expected, 0), ServerFrame.parse(ack.flip()),
          row.where() + ": JVM client's ServerFrame.parse");
      if (!value.contains("not the fewest bytes")) {
        assertArrayEquals(bytes, new FrameWriter(16).varint(expected).toByteArray(),
            row.where() + ": JVM client's FrameWriter.varint");
        ByteBuf written = Unpooled.buffer();
        Payload.writeVarint(written, expected);
        assertEquals(row.cell("bytes"), HEX.formatHex(written.array(), 0, written.writerIndex()),
            row.where() + ": aggregator's Payload.writeVarint");
      }
      checked++;
    }
    assertTrue(checked >= 3, "docs/PROTOCOL.md \"Varints\" has too few values: " + checked);
  }

  private static FrameBytes batch(byte[] bytes) {
    FrameBytes in = new FrameBytes();
    in.load(Unpooled.wrappedBuffer(bytes));
    return in;
  }

  private static void assertMalformed(ProtocolDoc.Row row, byte[] bytes) {
    boolean cutOff = row.cell("value").contains("cut off");
    if (cutOff) {
      assertThrows(IndexOutOfBoundsException.class, () -> Payload.varint(Unpooled.wrappedBuffer(bytes), "x"),
          row.where() + ": aggregator reads a truncated field");
      assertThrows(BufferUnderflowException.class, () -> Varint.read(ByteBuffer.wrap(bytes)::get), row.where());
      assertThrows(IndexOutOfBoundsException.class, () -> batch(bytes).varint("x"), row.where() + ": FrameBytes");
    } else {
      ProtocolException batch = assertThrows(ProtocolException.class, () -> batch(bytes).varint("seq"));
      assertEquals("varint seq is longer than 64 bits", batch.getMessage(), row.where() + ": FrameBytes");
      ProtocolException e = assertThrows(ProtocolException.class,
          () -> Payload.varint(Unpooled.wrappedBuffer(bytes), "seq"), row.where() + ": aggregator");
      assertEquals(ErrorCode.MALFORMED_FRAME, e.code(), row.where());
      assertEquals("varint seq is longer than 64 bits", e.getMessage(), row.where());
      assertThrows(Varint.OverflowException.class, () -> Varint.read(ByteBuffer.wrap(bytes)::get), row.where());
    }
    ByteBuffer ack = ByteBuffer.allocate(bytes.length + 2).put((byte) 0x82).put(bytes);
    if (!cutOff) {
      ack.put((byte) 0);
    }
    assertThrows(IOException.class, () -> ServerFrame.parse(ack.flip()), row.where() + ": JVM client's ServerFrame.parse");
  }
}
