package io.pidless.bench.ingest;

import io.pidless.protocol.FrameWriter;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the load's sending loop puts its frames: the aggregator ({@link AckedConnection}, which waits
 * for ACKs within a window) or the raw baseline ({@link Unanswered}, which nobody answers). One loop
 * serves both, so the baseline sends exactly the same bytes the same way.
 */
interface BatchChannel extends Closeable {
  /** Sends the frames in {@code frames} (ending with BATCH {@code seq} of {@code deltas} deltas) and empties it. */
  void send(long seq, int deltas, FrameWriter frames) throws IOException;

  /** Waits until every batch sent is answered; fails if one was not, or on timeout. */
  void drain(Duration timeout) throws IOException;

  /** Opens a blocking Unix socket connection. */
  static SocketChannel connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return ch;
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
    }
  }

  /** Writes and never reads: for the {@link RawSink}, which discards everything and answers nothing. */
  final class Unanswered implements BatchChannel {
    private final SocketChannel channel;

    Unanswered(Path socket, byte[] preamble) throws IOException {
      channel = connect(socket);
      FrameWriter w = new FrameWriter(preamble.length);
      w.bytes(preamble).writeTo(channel);
    }

    @Override
    public void send(long seq, int deltas, FrameWriter frames) throws IOException {
      frames.writeTo(channel);
    }

    @Override
    public void drain(Duration timeout) {}

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
