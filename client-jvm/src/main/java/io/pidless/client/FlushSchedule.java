package io.pidless.client;

import java.lang.System.Logger.Level;
import java.util.function.LongUnaryOperator;

/**
 * When the flusher thread runs a flush cycle: every interval, at once when {@link #request} asks,
 * or when a reconnect is due. It also tells a {@code flush()} caller when the cycle it asked for
 * ran, and which batches that cycle cut, so the caller then waits for their ACKs only.
 *
 * <pre>{@code
 * long lastSeq = schedule.request(deadline);   // flush(): -1 when the cycle failed or timed out
 * FlushSchedule.Turn t = schedule.awaitTurn(link::wakeAt);   // flusher thread
 * schedule.finished(t, ok, lastSeqCut);
 * }</pre>
 */
final class FlushSchedule {
  /** A cycle the flusher runs: {@code asked} when a flush() waits for it rather than the interval. */
  record Turn(long generation, boolean asked) {}

  private final long intervalNanos;
  private long nextTick;
  // guarded by this
  private long requested;
  private long completed;
  private long completedOk;
  private long cutSeq;
  private boolean closed;

  FlushSchedule(long intervalNanos) {
    this.intervalNanos = intervalNanos;
    this.nextTick = System.nanoTime() + intervalNanos;
  }

  /**
   * Asks for a cycle and waits until it ran. Returns the last sequence number cut by then, or -1 when
   * the cycle could not reach the aggregator, the deadline passed, the thread was interrupted or the
   * client closed.
   */
  synchronized long request(long deadline) {
    if (closed) {
      return -1;
    }
    long gen = ++requested;
    notifyAll();
    while (completed < gen) {
      if (!await(deadline)) {
        return -1;
      }
    }
    return completedOk < gen ? -1 : cutSeq;
  }

  /**
   * Flusher thread: waits until a flush() asks, or until the time {@code wakeAt} makes of the next
   * interval tick (earlier when a reconnect is due; asked again at every wake-up); null once closed.
   */
  synchronized Turn awaitTurn(LongUnaryOperator wakeAt) {
    while (!closed && requested == completed) {
      long ms = (wakeAt.applyAsLong(nextTick) - System.nanoTime()) / 1_000_000;
      if (ms <= 0) {
        break;
      }
      try {
        wait(ms);
      } catch (InterruptedException e) {
        Delivery.LOG.log(Level.DEBUG, "pidless: flusher interrupted; it stops only when the client closes");
      }
    }
    if (closed) {
      return null;
    }
    boolean asked = requested != completed;
    if (!asked) {
      nextTick = System.nanoTime() + intervalNanos;
    }
    return new Turn(requested, asked);
  }

  /** Flusher thread: {@code turn} ran; {@code ok} when connected, {@code lastSeq} the last batch cut. */
  synchronized void finished(Turn turn, boolean ok, long lastSeq) {
    completed = turn.generation();
    if (ok) {
      completedOk = turn.generation();
    }
    cutSeq = lastSeq;
    notifyAll();
  }

  /** Makes the flusher look again at when to run (a connection broke: a reconnect may be due). */
  synchronized void wake() {
    notifyAll();
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }

  /** Waits until notified; false once the deadline passed, the client closed, or on interrupt. */
  private boolean await(long deadline) {
    long ms = (deadline - System.nanoTime()) / 1_000_000;
    if (ms <= 0 || closed) {
      return false;
    }
    try {
      wait(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
