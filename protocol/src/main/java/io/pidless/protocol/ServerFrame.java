package io.pidless.protocol;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A decoded aggregator → client frame. */
public sealed interface ServerFrame {

  /** Answer to HELLO. */
  record HelloOk(int version, int maxFrameBytes, long lastSeq, long instance) implements ServerFrame {}

  /** A settled batch; {@code outcome} is {@link Protocol#ACK_APPLIED} or {@link Protocol#ACK_ALREADY_SETTLED}. */
  record Ack(long seq, int outcome) implements ServerFrame {}

  /** An error; {@code code} is null for a code newer than this client. */
  record Error(ErrorCode code, int rawCode, long ref, String message) implements ServerFrame {}

  /** Parses one frame body: the type byte and its payload. */
  static ServerFrame parse(ByteBuffer body) throws IOException {
    int type = body.get() & 0xFF;
    try {
      ServerFrame f;
      if (type == FrameType.HELLO_OK.code()) {
        f = new HelloOk(body.get() & 0xFF, body.getInt(), Varint.read(body::get), body.getLong());
      } else if (type == FrameType.ACK.code()) {
        f = new Ack(Varint.read(body::get), body.get() & 0xFF);
      } else if (type == FrameType.ERROR.code()) {
        int raw = body.getShort() & 0xFFFF;
        f = new Error(ErrorCode.fromCode(raw), raw, Varint.read(body::get), string(body));
      } else {
        throw new IOException("aggregator sent unknown frame type 0x" + Integer.toHexString(type));
      }
      if (body.hasRemaining()) {
        throw new IOException("aggregator sent " + body.remaining() + " trailing bytes in frame 0x"
            + Integer.toHexString(type));
      }
      return f;
    } catch (BufferUnderflowException e) {
      throw new IOException("aggregator sent a truncated frame 0x" + Integer.toHexString(type), e);
    } catch (Varint.OverflowException e) {
      throw new IOException("aggregator sent a malformed frame 0x" + Integer.toHexString(type) + ": "
          + e.getMessage(), e);
    }
  }

  private static String string(ByteBuffer b) {
    long n = Varint.read(b::get);
    if (n < 0 || n > b.remaining()) {
      throw new BufferUnderflowException();
    }
    byte[] bytes = new byte[(int) n];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
