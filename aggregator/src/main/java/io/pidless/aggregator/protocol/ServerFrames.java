package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.Protocol;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the aggregator's answers: HELLO_OK, ACK and ERROR, each appended to a buffer, so the answers
 * of one read share one (an ACK per batch costs no allocation of its own).
 */
final class ServerFrames {
  private ServerFrames() {}

  static ByteBuf helloOk(ByteBuf b, int maxFrameBytes, long lastSeq, long instance) {
    int start = begin(b, FrameType.HELLO_OK);
    b.writeByte(Protocol.VERSION).writeInt(maxFrameBytes);
    Payload.writeVarint(b, lastSeq);
    b.writeLong(instance);
    return end(b, start);
  }

  static ByteBuf ack(ByteBuf b, long seq, int outcome) {
    int start = begin(b, FrameType.ACK);
    Payload.writeVarint(b, seq);
    b.writeByte(outcome);
    return end(b, start);
  }

  static ByteBuf error(ByteBuf b, ErrorCode code, long ref, String message) {
    int start = begin(b, FrameType.ERROR);
    b.writeShort(code.code());
    Payload.writeVarint(b, ref);
    Payload.writeVarint(b, ByteBufUtil.utf8Bytes(message));
    b.writeCharSequence(message, StandardCharsets.UTF_8);
    return end(b, start);
  }

  private static int begin(ByteBuf b, FrameType type) {
    int start = b.writerIndex();
    b.writeInt(0).writeByte(type.code());
    return start;
  }

  private static ByteBuf end(ByteBuf b, int start) {
    b.setInt(start, b.writerIndex() - start - Protocol.LENGTH_PREFIX_BYTES);
    return b;
  }
}
