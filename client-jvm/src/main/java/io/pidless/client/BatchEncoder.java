package io.pidless.client;

import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the deltas of one flush into BATCH frames, each given the next sequence number and sized
 * by the connection's {@link FrameLimit} (the aggregator's {@code max_frame_bytes}, at most 64 KiB of
 * deltas). A
 * series not yet defined on the connection is DEFINEd (into {@link #defines}, written before the
 * batches) the first time it has a delta, so a reconnect never brings back series that have nothing
 * to send. Flusher thread only.
 */
final class BatchEncoder {
  private static final System.Logger LOG = System.getLogger("io.pidless.client");

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
  private final FrameLimit limit;
  private final long generation;
  private List<Series> inBatch = new ArrayList<>();
  /** Where the last delta in {@code deltas} starts: it may have to move to the next batch. */
  private int lastStart;
  private long nextSeq;

  BatchEncoder(long firstSeq, FrameLimit limit) {
    this.nextSeq = firstSeq;
    this.generation = limit.generation();
    this.limit = limit;
  }

  /** DEFINEs {@code series} on this connection unless it already is; false if it cannot be sent there. */
  boolean define(Series series) {
    return limit.define(series, defines);
  }

  /**
   * Starts one delta for {@code series}; the caller writes its body to the returned writer. The delta
   * of a series rejected on this connection goes nowhere: it is not sent there.
   */
  FrameWriter delta(Series series) {
    if (series.rejectedOn == generation || !define(series)) {
      dropped.clear();
      return dropped;
    }
    fitLast();
    lastStart = deltas.size();
    inBatch.add(series);
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
    fitLast();
    closeBatch(deltas.toByteArray());
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

  /**
   * Once the last delta is written: if it took the batch over its target size, the batch is closed
   * without it and it starts the next one. A delta too long for any frame is dropped with a warning.
   */
  private void fitLast() {
    if (deltas.size() <= limit.batchTarget()) {
      return;
    }
    byte[] all = deltas.toByteArray();
    Series last = inBatch.remove(inBatch.size() - 1);
    closeBatch(Arrays.copyOf(all, lastStart));
    deltas.clear();
    if (!limit.batchFits(all.length - lastStart)) {
      LOG.log(System.Logger.Level.WARNING, "pidless: dropped a delta of " + last + ": its " + (all.length - lastStart)
          + " bytes do not fit a frame of the aggregator's --max-frame-bytes " + limit.maxFrameBytes() + "; raise it");
      return;
    }
    deltas.bytes(Arrays.copyOfRange(all, lastStart, all.length));
    inBatch.add(last);
  }

  private void closeBatch(byte[] body) {
    if (inBatch.isEmpty()) {
      return;
    }
    FrameWriter f = new FrameWriter(body.length + 32);
    f.beginFrame(FrameType.BATCH).varint(nextSeq).varint(inBatch.size()).bytes(body).endFrame();
    batches.add(new Batch(nextSeq++, f.toByteArray(), inBatch));
    inBatch = new ArrayList<>();
  }
}
