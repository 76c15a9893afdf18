package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.pidless.protocol.Varint;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One frame's payload as a plain {@code byte[]}, read with a cursor: the per-delta readers of a BATCH.
 * Reading a Netty buffer byte by byte checks its reference count and both indexes of every layer
 * (slice, wrapper, pooled buffer) per byte; here a read is one array access and one compare. A heap
 * buffer is read in place; a direct one (what the epoll transport reads into) is copied once, into an
 * array reused for the next frame while frames stay below {@link #KEPT_BYTES}, so an idle connection
 * keeps at most that much. Confined to one connection's thread.
 *
 * <p>A field running past the payload throws {@link IndexOutOfBoundsException}, as Netty's readers do,
 * which the connection handler reports as a truncated frame; the messages of {@link Payload} are reused.
 *
 * <pre>{@code
 * FrameBytes in = new FrameBytes();
 * in.load(frame);                       // frame: a ByteBuf positioned after the type byte
 * long seq = in.varint("seq");
 * double v = in.f64();
 * in.expectEnd("BATCH");
 * }</pre>
 */
final class FrameBytes implements Varint.ByteSource {
  /** Frames up to this size reuse one array; a larger one gets an array of its own, dropped after it. */
  static final int KEPT_BYTES = 64 * 1024;

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final byte[] EMPTY = new byte[0];

  private byte[] kept = EMPTY;
  private byte[] bytes = EMPTY;
  private int pos;
  private int limit;

  /** Takes the readable bytes of {@code b} as the payload, and consumes them from {@code b}. */
  void load(ByteBuf b) {
    int n = b.readableBytes();
    if (b.hasArray()) {
      bytes = b.array();
      pos = b.arrayOffset() + b.readerIndex();
    } else {
      bytes = n <= KEPT_BYTES ? keptArray(n) : new byte[n];
      pos = 0;
      b.getBytes(b.readerIndex(), bytes, 0, n);
    }
    limit = pos + n;
    b.skipBytes(n);
  }

  /** Drops the reference to the last payload, which may be a buffer's own array. */
  void unload() {
    bytes = EMPTY;
    pos = 0;
    limit = 0;
  }

  private byte[] keptArray(int n) {
    if (kept.length < n) {
      kept = new byte[Math.min(KEPT_BYTES, Math.max(n, kept.length * 2))];
    }
    return kept;
  }

  int remaining() {
    return limit - pos;
  }

  @Override
  public byte next() {
    if (pos >= limit) {
      throw new IndexOutOfBoundsException("frame is truncated");
    }
    return bytes[pos++];
  }

  /**
   * A {@link Varint}; one past 64 bits is {@code MALFORMED_FRAME}, one cut off a truncated frame. Ids
   * below 16,384 (one or two bytes, which cannot overflow) are read here without a call per byte; every
   * longer varint goes through {@link Varint#read}, which holds the overflow rule.
   */
  long varint(String field) {
    int at = pos;
    if (limit - at >= 2) {
      byte first = bytes[at];
      if (first >= 0) {
        pos = at + 1;
        return first;
      }
      byte second = bytes[at + 1];
      if (second >= 0) {
        pos = at + 2;
        return (first & 0x7F) | (long) second << 7;
      }
    }
    try {
      return Varint.read(this);
    } catch (Varint.OverflowException e) {
      throw Payload.overflow(field);
    }
  }

  /** A varint that must be a count of things each at least {@code minBytes} long in what remains. */
  int count(String field, int minBytes) {
    return Payload.checkCount(varint(field), remaining(), field, minBytes);
  }

  /** A big-endian IEEE 754 double. */
  double f64() {
    int at = pos;
    if (limit - at < Long.BYTES) {
      throw new IndexOutOfBoundsException("frame is truncated");
    }
    pos = at + Long.BYTES;
    return Double.longBitsToDouble((long) LONGS.get(bytes, at));
  }

  void expectEnd(String frame) {
    Payload.checkEnd(remaining(), frame);
  }
}
