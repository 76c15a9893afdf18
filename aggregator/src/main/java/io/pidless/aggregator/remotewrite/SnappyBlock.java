package io.pidless.aggregator.remotewrite;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.Snappy;

/**
 * Snappy's block format (a varint length, then literals and copies; no stream framing), which is what
 * remote_write's {@code Content-Encoding: snappy} means. Netty's {@link Snappy} writes exactly that;
 * its {@code SnappyFrameEncoder} would add the framing format, which receivers refuse.
 *
 * <pre>{@code
 * byte[] body = SnappyBlock.compress(protobufBytes);
 * }</pre>
 */
final class SnappyBlock {
  private SnappyBlock() {}

  static byte[] compress(byte[] raw) {
    ByteBuf in = Unpooled.wrappedBuffer(raw);
    // worst case of snappy: 32 + n + n/6, plus the varint length
    ByteBuf out = Unpooled.buffer(32 + raw.length + raw.length / 6 + 5);
    try {
      new Snappy().encode(in, out, raw.length);
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      return bytes;
    } finally {
      in.release();
      out.release();
    }
  }
}
