package io.pidless.bench.ingest;

import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.ServerFrame;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One session on the aggregator with pipelined batches: at most {@code window} batches un-ACKed, a
 * reader thread consuming the answers. Only ACKed deltas count, and every answer must be
 * {@code ACK <the oldest seq in flight>, applied}; anything else (an ERROR, a re-send outcome, a
 * dropped connection) fails the connection and the benchmark with it.
 *
 * <pre>{@code
 * try (AckedConnection c = AckedConnection.open(socket, Frames.hello(id, series, 1, 1000), 16)) {
 *   FrameWriter w = new FrameWriter();
 *   Frames.batch(w, 1, Frames.batchBody(1, 500));
 *   c.send(1, 500, w);
 *   c.drain(Duration.ofSeconds(10));
 *   c.ackedDeltas();   // 500
 * }
 * }</pre>
 */
final class AckedConnection implements BatchChannel {
  private final SocketChannel channel;
  private final int windowSize;
  private final Semaphore window;
  private final ConcurrentLinkedQueue<long[]> inflight = new ConcurrentLinkedQueue<>();
  private final AtomicLong ackedDeltas = new AtomicLong();
  private final AtomicLong ackedBatches = new AtomicLong();
  private final Thread reader;
  private volatile IOException failure;
  private volatile boolean closing;

  private AckedConnection(SocketChannel channel, int windowSize) {
    this.channel = channel;
    this.windowSize = windowSize;
    this.window = new Semaphore(windowSize);
    this.reader = new Thread(this::readAnswers, "ack-reader");
    this.reader.setDaemon(true);
  }

  /** Connects, sends {@code preamble} (HELLO and DEFINEs) and waits for HELLO_OK. */
  static AckedConnection open(Path socket, byte[] preamble, int window) throws IOException {
    SocketChannel ch = BatchChannel.connect(socket);
    try {
      new FrameWriter(preamble.length).bytes(preamble).writeTo(ch);
      ServerFrame first = new FrameReader(ch).read();
      if (!(first instanceof ServerFrame.HelloOk)) {
        throw new IOException("aggregator answered HELLO with " + first + " instead of HELLO_OK");
      }
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    AckedConnection c = new AckedConnection(ch, window);
    c.reader.start();
    return c;
  }

  @Override
  public void send(long seq, int deltas, FrameWriter frames) throws IOException {
    try {
      window.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for an ACK window slot", e);
    }
    checkHealthy();
    inflight.add(new long[] {seq, deltas});
    frames.writeTo(channel);
  }

  @Override
  public void drain(Duration timeout) throws IOException {
    try {
      if (!window.tryAcquire(windowSize, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException(inflight.size() + " batches still un-ACKed after " + timeout.toMillis()
            + " ms; the aggregator stalled (see its log)");
      }
      window.release(windowSize);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while draining ACKs", e);
    }
    checkHealthy();
  }

  long ackedDeltas() {
    return ackedDeltas.get();
  }

  long ackedBatches() {
    return ackedBatches.get();
  }

  @Override
  public void close() throws IOException {
    closing = true;
    channel.close();
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void checkHealthy() throws IOException {
    IOException f = failure;
    if (f != null) {
      throw new IOException("connection failed: " + f.getMessage(), f);
    }
  }

  private void readAnswers() {
    FrameReader in = new FrameReader(channel);
    try {
      while (true) {
        ServerFrame f = in.read();
        long[] oldest = inflight.peek();
        if (!(f instanceof ServerFrame.Ack ack) || oldest == null || ack.seq() != oldest[0] || ack.outcome() != 0) {
          throw new IOException("expected ACK seq " + (oldest == null ? "<none in flight>" : oldest[0])
              + " outcome 0 (applied), got " + f);
        }
        inflight.poll();
        ackedDeltas.addAndGet(oldest[1]);
        ackedBatches.incrementAndGet();
        window.release();
      }
    } catch (IOException e) {
      if (!closing) {
        failure = e;
        window.release(windowSize);
      }
    }
  }
}
