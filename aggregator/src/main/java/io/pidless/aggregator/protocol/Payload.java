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
      throw malformed("varint " + field + " is longer than 64 bits");
    }
  }

  /**
   * A varint that must be a count of things each at least {@code minBytes} long in what remains.
   * Compared unsigned: a varint of 2^63 or more is a negative long, and must not pass as small.
   */
  static int count(ByteBuf b, String field, int minBytes) {
    long n = varint(b, field);
    if (Long.compareUnsigned(n, b.readableBytes() / minBytes) > 0) {
      throw malformed(field + " " + Long.toUnsignedString(n) + " cannot fit in the " + b.readableBytes()
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
    if (b.isReadable()) {
      throw malformed(frame + " has " + b.readableBytes() + " trailing bytes after its last field");
    }
  }

  static ProtocolException malformed(String message) {
    return new ProtocolException(ErrorCode.MALFORMED_FRAME, message);
  }

  static void writeVarint(ByteBuf out, long v) {
    Varint.write(v, out::writeByte);
  }
}
