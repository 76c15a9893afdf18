package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameWriter;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameBytes} reads the same fields from a heap buffer (in place, through its array offset), a
 * direct buffer (copied into the reused array) and a frame too large to keep, and refuses what runs
 * past the payload as a truncated frame.
 */
class FrameBytesTest {
  private static final long[] VARINTS = {1, 127, 128, 300, 1L << 35, Long.MAX_VALUE, -1L};
  private static final double[] DOUBLES = {0, 1.5, -2.25e300, Double.MIN_VALUE, Double.NaN};

  /** The payload of a frame holding every value of {@link #VARINTS} and {@link #DOUBLES}, then {@code pad} zeros. */
  private static byte[] payload(int pad) {
    FrameWriter w = new FrameWriter();
    for (long v : VARINTS) {
      w.varint(v);
    }
    for (double d : DOUBLES) {
      w.f64(d);
    }
    for (int i = 0; i < pad; i++) {
      w.u8(0);
    }
    return w.toByteArray();
  }

  private static ByteBuf direct(byte[] bytes) {
    return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
  }

  /** A heap buffer whose payload starts at an array offset, behind a skipped prefix. */
  private static ByteBuf heapSlice(byte[] bytes) {
    byte[] framed = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, framed, 5, bytes.length);
    ByteBuf b = Unpooled.wrappedBuffer(framed).slice(3, bytes.length + 2);
    b.skipBytes(2);
    return b;
  }

  private static void readsEveryField(Function<byte[], ByteBuf> buffer, int pad) {
    ByteBuf b = buffer.apply(payload(pad));
    FrameBytes in = new FrameBytes();
    in.load(b);
    assertFalse(b.isReadable(), "load consumes the buffer's readable bytes");
    for (long v : VARINTS) {
      assertEquals(v, in.varint("v"));
    }
    for (double d : DOUBLES) {
      assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(in.f64()));
    }
    assertEquals(pad, in.remaining());
    b.release();
  }

  @Test
  void readsTheSameFieldsFromHeapDirectAndOversizedFrames() {
    readsEveryField(FrameBytesTest::heapSlice, 0);
    readsEveryField(FrameBytesTest::direct, 0);
    readsEveryField(FrameBytesTest::direct, FrameBytes.KEPT_BYTES);
    readsEveryField(FrameBytesTest::direct, 3);
  }

  @Test
  void aFieldRunningPastThePayloadIsATruncatedFrame() {
    FrameBytes in = new FrameBytes();
    in.load(direct(new byte[] {(byte) 0x80}));
    assertThrows(IndexOutOfBoundsException.class, () -> in.varint("series id"));
    in.load(heapSlice(new byte[7]));
    assertThrows(IndexOutOfBoundsException.class, in::f64);
    assertEquals(7, in.remaining(), "a refused f64 consumes nothing");
  }

  @Test
  void aShorterFrameAfterALongerOneReadsOnlyItsOwnBytes() {
    FrameBytes in = new FrameBytes();
    in.load(direct(new byte[64]));
    in.load(direct(new byte[] {5}));
    assertEquals(5, in.varint("seq"));
    assertThrows(IndexOutOfBoundsException.class, () -> in.varint("count"));
  }

  @Test
  void aVarintPast64BitsAndTrailingBytesAreMalformed() {
    FrameBytes in = new FrameBytes();
    byte[] eleven = new byte[11];
    java.util.Arrays.fill(eleven, (byte) 0xFF);
    in.load(direct(eleven));
    ProtocolException e = assertThrows(ProtocolException.class, () -> in.varint("seq"));
    assertEquals(ErrorCode.MALFORMED_FRAME, e.code());
    assertEquals("varint seq is longer than 64 bits", e.getMessage());
    in.load(direct(new byte[] {1, 2}));
    in.varint("seq");
    ProtocolException end = assertThrows(ProtocolException.class, () -> in.expectEnd("BATCH"));
    assertEquals("BATCH has 1 trailing bytes after its last field", end.getMessage());
  }
}
