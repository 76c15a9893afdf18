package io.pidless.client;

import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the deltas of one flush into BATCH frames, each given the next sequence number and kept
 * below {@link #MAX_BATCH_BYTES} so it always fits the aggregator's frame limit. A series not yet
 * defined on the connection is DEFINEd (into {@link #defines}, written before the batches) the first
 * time it has a delta, so a reconnect never brings back series that have nothing to send.
 * Flusher thread only.
 */
final class BatchEncoder {
  private static final System.Logger LOG = System.getLogger("io.pidless.client");
  /** Well under the protocol's 1 MiB default frame limit, so a batch is never refused for size. */
  static final int MAX_BATCH_BYTES = 64 * 1024;

  /**
   * An encoded BATCH frame and the series it refers to, kept until its ACK so it can be re-sent with
   * the same seq after those series are defined on the new connection.
   */
  record Batch(long seq, byte[] frame, List<Series> series) {}

  private final FrameWriter deltas = new FrameWriter();
  private final List<Batch> batches = new ArrayList<>();
  private final FrameWriter defines = new FrameWriter();
  /** Takes the deltas of series rejected on this connection, and is cleared before each. */
  private final FrameWriter dropped = new FrameWriter();
  private final long generation;
  private List<Series> inBatch = new ArrayList<>();
  private long nextSeq;
  private int count;

  BatchEncoder(long firstSeq, Connection connection) {
    this.nextSeq = firstSeq;
    this.generation = connection.generation();
  }

  /** DEFINEs {@code series} on this connection unless it already is. */
  void define(Series series) {
    series.defineOn(generation, defines);
  }

  /**
   * Starts one delta for {@code series}; the caller writes its body to the returned writer. The delta
   * of a series the aggregator rejected on this connection goes nowhere: it is not sent there.
   */
  FrameWriter delta(Series series) {
    if (series.rejectedOn == generation) {
      dropped.clear();
      return dropped;
    }
    if (deltas.size() >= MAX_BATCH_BYTES) {
      closeBatch();
    }
    define(series);
    inBatch.add(series);
    count++;
    return deltas.varint(series.id);
  }

  /**
   * False, with a warning, for a non-finite sum: the aggregator would reject the whole batch for it,
   * so the one overflowing delta is dropped instead (only a sum of huge values can get here).
   */
  boolean checkFinite(Series series, double sum) {
    if (Double.isFinite(sum)) {
      return true;
    }
    LOG.log(System.Logger.Level.WARNING, "pidless: dropped a delta of " + series + " whose sum overflowed to "
        + sum + "; the aggregator only accepts finite sums");
    return false;
  }

  /** Ends the last batch and returns every batch of this flush, in sequence order. */
  List<Batch> finish() {
    closeBatch();
    return batches;
  }

  /** The DEFINE frames the batches need, to be written before them. */
  FrameWriter defines() {
    return defines;
  }

  /** The sequence number the next batch (of a later flush) will get. */
  long nextSeq() {
    return nextSeq;
  }

  private void closeBatch() {
    if (count == 0) {
      return;
    }
    FrameWriter f = new FrameWriter(deltas.size() + 32);
    f.beginFrame(FrameType.BATCH).varint(nextSeq).varint(count).bytes(deltas.toByteArray()).endFrame();
    batches.add(new Batch(nextSeq++, f.toByteArray(), inBatch));
    inBatch = new ArrayList<>();
    deltas.clear();
    count = 0;
  }
}
