package io.pidless.bench.ingest;

import io.pidless.protocol.FrameWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The sending loop of the ingest scenario: one thread per channel sends BATCH frames with seq 1, 2, 3
 * ..., alternating between pre-encoded bodies, for warmup + duration, then stops by itself. The rate
 * is read from a progress counter (ACKed deltas, or bytes the sink read) sampled at the end of the
 * warmup and at the end of the run, so only the steady state counts.
 *
 * <pre>{@code
 * BatchLoad.Result r = new BatchLoad(channels, bodies, 500).run(Duration.ofSeconds(3), Duration.ofSeconds(10),
 *     () -> acked(), agg::cpuNanos);
 * r.perSecond();   // progress units per second in the measured window
 * }</pre>
 */
final class BatchLoad {
  private final List<? extends BatchChannel> channels;
  private final byte[][] bodies;
  private final int deltasPerBatch;
  private final LongAdder bytesSent = new LongAdder();
  private final LongAdder deltasSent = new LongAdder();

  /** What the measured window saw. */
  record Result(TimedWindow window, long bytesSent, long deltasSent) {
    double perSecond() {
      return window.perSecond();
    }

    /** Average bytes on the wire per delta, BATCH framing included. */
    double bytesPerDelta() {
      return (double) bytesSent / deltasSent;
    }
  }

  BatchLoad(List<? extends BatchChannel> channels, byte[][] bodies, int deltasPerBatch) {
    this.channels = channels;
    this.bodies = bodies;
    this.deltasPerBatch = deltasPerBatch;
  }

  Result run(Duration warmup, Duration duration, LongSupplier progress, LongSupplier receiverCpuNanos)
      throws IOException {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> senders = new ArrayList<>();
    long end = System.nanoTime() + warmup.toNanos() + duration.toNanos();
    for (BatchChannel ch : channels) {
      Thread t = new Thread(() -> {
        try {
          sendUntil(ch, end);
        } catch (IOException | RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }, "load-sender");
      t.setDaemon(true);
      senders.add(t);
      t.start();
    }
    TimedWindow window = TimedWindow.measure(warmup, duration, progress, receiverCpuNanos);
    for (Thread t : senders) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping the senders", e);
      }
      if (t.isAlive()) {
        throw new IOException("a sender is still blocked 60 s after the run ended; the receiver stalled");
      }
    }
    if (failure.get() != null) {
      throw new IOException("load failed: " + failure.get().getMessage(), failure.get());
    }
    return new Result(window, bytesSent.sum(), deltasSent.sum());
  }

  private void sendUntil(BatchChannel ch, long endNanos) throws IOException {
    FrameWriter w = new FrameWriter(bodies[0].length + 32);
    long seq = 1;
    while (System.nanoTime() < endNanos) {
      Frames.batch(w, seq, bodies[(int) ((seq - 1) % bodies.length)]);
      bytesSent.add(w.size());
      deltasSent.add(deltasPerBatch);
      ch.send(seq, deltasPerBatch, w);
      seq++;
    }
  }
}
