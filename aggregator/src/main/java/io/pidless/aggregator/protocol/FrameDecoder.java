package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.Protocol;
import java.util.List;

/**
 * Splits the byte stream into frames: {@code u32 length | u8 type | payload}. Emits one retained
 * {@link ByteBuf} per frame, positioned at the type byte. An oversized length is refused from the
 * prefix alone, before any of the frame is buffered; after a violation everything else is discarded.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameBytes;
  private boolean failed;
  private boolean completed;
  /** Nanotime the part of a frame now buffered began to arrive; 0 when no frame is begun. */
  private long begunNanos;

  public FrameDecoder(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < Protocol.LENGTH_PREFIX_BYTES + 1) {
      return;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length == 0) {
      fail(in, ErrorCode.MALFORMED_FRAME, "frame length 0: a frame has at least its type byte");
    }
    if (length > maxFrameBytes) {
      fail(in, ErrorCode.FRAME_TOO_LARGE, "frame length " + length + " exceeds the maximum of " + maxFrameBytes
          + " bytes announced in HELLO_OK; send smaller batches");
    }
    int type = in.getUnsignedByte(in.readerIndex() + Protocol.LENGTH_PREFIX_BYTES);
    FrameType ft = FrameType.fromCode(type);
    if (ft == null || (type & 0x80) != 0) {
      fail(in, ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type 0x" + Integer.toHexString(type)
          + (ft == null ? "" : " (" + ft + " is sent by the aggregator, not by clients)"));
    }
    if (in.readableBytes() < Protocol.LENGTH_PREFIX_BYTES + length) {
      return;
    }
    in.skipBytes(Protocol.LENGTH_PREFIX_BYTES);
    out.add(in.readRetainedSlice((int) length));
    completed = true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    completed = false;
    super.channelRead(ctx, msg);
    if (!internalBuffer().isReadable()) {
      begunNanos = 0;
    } else if (completed || begunNanos == 0) {
      begunNanos = System.nanoTime();
    }
  }

  /** Nanotime the frame now partly received began to arrive, or 0 when none is; for {@code --frame-timeout}. */
  long begunNanos() {
    return begunNanos;
  }

  private void fail(ByteBuf in, ErrorCode code, String message) {
    failed = true;
    in.skipBytes(in.readableBytes());
    throw new ProtocolException(code, message);
  }
}
