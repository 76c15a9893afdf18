package io.pidless.client;

import io.pidless.protocol.FrameWriter;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * The batches sent but not yet ACKed, by seq: what a reconnect replays with the original seq (so
 * the aggregator applies each exactly once), and what a flush waits on. At most
 * {@link #MAX_BATCHES}: beyond, new deltas wait merged in their series. Thread-safe: the flusher
 * adds and replays, connection readers remove, flush callers wait.
 */
final class UnackedBatches {
  /** With this many batches un-ACKed, new deltas wait in the series instead of in more batches. */
  static final int MAX_BATCHES = 64;

  private final TreeMap<Long, BatchEncoder.Batch> bySeq = new TreeMap<>();
  private boolean closed;

  synchronized boolean isEmpty() {
    return bySeq.isEmpty();
  }

  /** Whether enough batches wait for an ACK that new deltas should stay in their series. */
  synchronized boolean full() {
    return bySeq.size() >= MAX_BATCHES;
  }

  /** Keeps {@code batches} until their ACK and appends their frames to {@code out}. */
  synchronized void add(List<BatchEncoder.Batch> batches, FrameWriter out) {
    for (BatchEncoder.Batch b : batches) {
      bySeq.put(b.seq(), b);
      out.bytes(b.frame());
    }
  }

  /** The batch {@code seq} was ACKed or rejected: it is done. Returns it, null if unknown. */
  synchronized BatchEncoder.Batch remove(long seq) {
    BatchEncoder.Batch b = bySeq.remove(seq);
    notifyAll();
    return b;
  }

  /**
   * Appends every batch to {@code out}, each after the DEFINEs of its series on the new connection of
   * {@code limit}. A batch that does not fit (cut before the aggregator restarted with a smaller
   * --max-frame-bytes) is dropped with a warning rather than refused on every reconnect.
   */
  synchronized void replay(FrameLimit limit, FrameWriter out, Path socket) {
    for (Iterator<BatchEncoder.Batch> it = bySeq.values().iterator(); it.hasNext(); ) {
      BatchEncoder.Batch b = it.next();
      if (!limit.fits(b.frame().length) || !limit.defineAll(b.series(), out)) {
        it.remove();
        Delivery.LOG.log(Level.WARNING, "pidless: dropped batch " + b.seq() + " (" + b.series().size()
            + " deltas): it does not fit the --max-frame-bytes " + limit.maxFrameBytes() + " of the aggregator"
            + " at " + socket + ", lowered since the batch was cut");
        continue;
      }
      out.bytes(b.frame());
    }
    notifyAll();
  }

  /**
   * Waits until every batch up to {@code lastSeq} is done; false once the deadline passed, on
   * {@link #close}, or on interrupt.
   */
  synchronized boolean awaitDone(long lastSeq, long deadline) {
    while (!bySeq.isEmpty() && bySeq.firstKey() <= lastSeq) {
      long ms = (deadline - System.nanoTime()) / 1_000_000;
      if (ms <= 0 || closed) {
        return false;
      }
      try {
        wait(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Ends every wait: the client closed. */
  synchronized void close() {
    closed = true;
    notifyAll();
  }
}
