package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.Varint;
import java.nio.charset.StandardCharsets;

/**
 * Readers for the field encodings of docs/PROTOCOL.md. A field running past the frame surfaces as
 * Netty's {@link IndexOutOfBoundsException}, which the connection handler reports as a truncated frame.
 */
final class Payload {
  private Payload() {}

  /** A {@link Varint}; one past 64 bits is {@code MALFORMED_FRAME}, one cut off a truncated frame. */
  static long varint(ByteBuf b, String field) {
    try {
      return Varint.read(b::readByte);
    } catch (Varint.OverflowException e) {
      throw overflow(field);
    }
  }

  static ProtocolException overflow(String field) {
    return malformed("varint " + field + " is longer than 64 bits");
  }

  /**
   * A varint that must be a count of things each at least {@code minBytes} long in what remains.
   * Compared unsigned: a varint of 2^63 or more is a negative long, and must not pass as small.
   */
  static int count(ByteBuf b, String field, int minBytes) {
    return checkCount(varint(b, field), b.readableBytes(), field, minBytes);
  }

  /** {@code n}, the count just read, if that many things of {@code minBytes} fit in {@code left} bytes. */
  static int checkCount(long n, int left, String field, int minBytes) {
    if (Long.compareUnsigned(n, left / minBytes) > 0) {
      throw malformed(field + " " + Long.toUnsignedString(n) + " cannot fit in the " + left
          + " bytes left in the frame");
    }
    return (int) n;
  }

  static String string(ByteBuf b, String field) {
    int n = count(b, field + " length", 1);
    int start = b.readerIndex();
    if (!ByteBufUtil.isText(b, start, n, StandardCharsets.UTF_8)) {
      throw malformed(field + " is not valid UTF-8");
    }
    String s = b.toString(start, n, StandardCharsets.UTF_8);
    b.skipBytes(n);
    return s;
  }

  static void expectEnd(ByteBuf b, String frame) {
    checkEnd(b.readableBytes(), frame);
  }

  static void checkEnd(int left, String frame) {
    if (left > 0) {
      throw malformed(frame + " has " + left + " trailing bytes after its last field");
    }
  }

  static ProtocolException malformed(String message) {
    return new ProtocolException(ErrorCode.MALFORMED_FRAME, message);
  }

  static void writeVarint(ByteBuf out, long v) {
    Varint.write(v, out::writeByte);
  }
}
