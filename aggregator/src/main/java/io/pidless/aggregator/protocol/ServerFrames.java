package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.Protocol;

/** Encodes the aggregator's answers: HELLO_OK, ACK and ERROR. */
final class ServerFrames {
  private ServerFrames() {}

  static ByteBuf helloOk(ByteBufAllocator alloc, int maxFrameBytes, long lastSeq, long instance) {
    ByteBuf b = begin(alloc, FrameType.HELLO_OK, 24);
    b.writeByte(Protocol.VERSION).writeInt(maxFrameBytes);
    Payload.writeVarint(b, lastSeq);
    b.writeLong(instance);
    return end(b);
  }

  static ByteBuf ack(ByteBufAllocator alloc, long seq, int outcome) {
    ByteBuf b = begin(alloc, FrameType.ACK, 12);
    Payload.writeVarint(b, seq);
    b.writeByte(outcome);
    return end(b);
  }

  static ByteBuf error(ByteBufAllocator alloc, ErrorCode code, long ref, String message) {
    ByteBuf b = begin(alloc, FrameType.ERROR, 16 + message.length() * 3);
    b.writeShort(code.code());
    Payload.writeVarint(b, ref);
    Payload.writeVarint(b, ByteBufUtil.utf8Bytes(message));
    b.writeCharSequence(message, java.nio.charset.StandardCharsets.UTF_8);
    return end(b);
  }

  private static ByteBuf begin(ByteBufAllocator alloc, FrameType type, int capacity) {
    ByteBuf b = alloc.buffer(capacity);
    b.writeInt(0).writeByte(type.code());
    return b;
  }

  private static ByteBuf end(ByteBuf b) {
    b.setInt(0, b.writerIndex() - Protocol.LENGTH_PREFIX_BYTES);
    return b;
  }
}
