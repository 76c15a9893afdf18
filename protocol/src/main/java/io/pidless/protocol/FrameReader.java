package io.pidless.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads the aggregator's answers (HELLO_OK, ACK, ERROR) from a blocking channel. Used by the JVM
 * client; the aggregator decodes client frames with Netty instead.
 *
 * <pre>{@code
 * FrameReader r = new FrameReader(channel);
 * ServerFrame f = r.read();
 * if (f instanceof ServerFrame.Ack ack) { ... ack.seq() ... }
 * }</pre>
 */
public final class FrameReader {
  private final ReadableByteChannel channel;
  private final ByteBuffer header = ByteBuffer.allocate(Protocol.LENGTH_PREFIX_BYTES);

  public FrameReader(ReadableByteChannel channel) {
    this.channel = channel;
  }

  /** Blocks for the next frame; {@link EOFException} when the aggregator closed the connection. */
  public ServerFrame read() throws IOException {
    header.clear();
    fill(header);
    int length = header.getInt(0);
    if (length < 1 || length > Protocol.DEFAULT_MAX_FRAME_BYTES) {
      throw new IOException("aggregator sent a frame of invalid length " + length);
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    fill(body);
    body.flip();
    return ServerFrame.parse(body);
  }

  private void fill(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b) < 0) {
        throw new EOFException("aggregator closed the connection");
      }
    }
  }
}
