package io.pidless.client;

import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.ServerFrame;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * One connection to the aggregator: the flusher writes frames to it, and its own daemon reader
 * thread hands every answer (HELLO_OK, ACK, ERROR) to the {@link AggregatorLink}, so a flush can wait
 * for its ACK with a timeout even though Unix socket channels have no read timeout. It keeps the
 * HELLO_OK, whose {@code max_frame_bytes} sizes every frame sent on it.
 */
final class Connection {
  private final SocketChannel channel;
  private final AggregatorLink owner;
  private final long generation;
  private final Thread reader;
  // guarded by this
  private ServerFrame.HelloOk hello;
  private boolean ended;

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

  /**
   * Waits for the HELLO_OK; null when the aggregator refused the HELLO, closed, or did not answer
   * within {@code timeoutNanos}.
   */
  synchronized ServerFrame.HelloOk awaitHello(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (hello == null && !ended) {
      long ms = (deadline - System.nanoTime()) / 1_000_000;
      if (ms <= 0) {
        return null;
      }
      wait(ms);
    }
    return hello;
  }

  /** Whether the aggregator accepted the HELLO, so the connection was in use when it ended. */
  synchronized boolean greeted() {
    return hello != null;
  }

  /** The largest frame this connection's aggregator accepts; known once {@link #awaitHello} returned it. */
  synchronized int maxFrameBytes() {
    return hello.maxFrameBytes();
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
        ServerFrame f = in.read();
        if (f instanceof ServerFrame.HelloOk ok) {
          greet(ok);
        }
        owner.onAnswer(this, f);
      }
    } catch (IOException e) {
      end();
      owner.lost(this, e);
    }
  }

  private synchronized void greet(ServerFrame.HelloOk ok) {
    hello = ok;
    notifyAll();
  }

  private synchronized void end() {
    ended = true;
    notifyAll();
  }
}
