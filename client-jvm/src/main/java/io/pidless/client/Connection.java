package io.pidless.client;

import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameWriter;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * One connection to the aggregator: the flusher writes frames to it, and its own daemon reader
 * thread hands every answer (HELLO_OK, ACK, ERROR) to the {@link AggregatorLink}, so a flush can wait
 * for its ACK with a timeout even though Unix socket channels have no read timeout.
 */
final class Connection {
  private final SocketChannel channel;
  private final AggregatorLink owner;
  private final long generation;
  private final Thread reader;

  Connection(SocketChannel channel, AggregatorLink owner, long generation) {
    this.channel = channel;
    this.owner = owner;
    this.generation = generation;
    this.reader = new Thread(this::readAnswers, "pidless-reader");
    reader.setDaemon(true);
  }

  /** Which of the client's connections this is: 1 for the first, one more for each reconnect. */
  long generation() {
    return generation;
  }

  void startReader() {
    reader.start();
  }

  /** Writes every byte of {@code frames}; only the flusher thread writes. */
  void write(FrameWriter frames) throws IOException {
    frames.writeTo(channel);
  }

  void close() {
    try {
      channel.close();
    } catch (IOException e) {
      Delivery.LOG.log(System.Logger.Level.DEBUG, "pidless: closing the aggregator connection failed", e);
    }
  }

  private void readAnswers() {
    FrameReader in = new FrameReader(channel);
    try {
      while (true) {
        owner.onAnswer(this, in.read());
      }
    } catch (IOException e) {
      owner.lost(this, e);
    }
  }
}
