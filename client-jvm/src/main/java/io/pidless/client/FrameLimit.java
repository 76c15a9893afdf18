package io.pidless.client;

import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.Protocol;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;

/**
 * What fits one connection's frames: the aggregator announces its {@code max_frame_bytes} in
 * HELLO_OK (docs/PROTOCOL.md, "Frames") and closes a connection that sends a longer frame, so every
 * frame is checked here before it is written. A DEFINE that cannot fit is not sent: the series is
 * rejected on that connection, as if the aggregator had rejected it, with a warning that says how to
 * fix it. Flusher thread only.
 */
final class FrameLimit {
  /**
   * Deltas per BATCH at most even when the aggregator allows more: it bounds what 64 un-ACKed batches
   * hold in memory, and how much one lost connection has to re-send.
   */
  static final int MAX_BATCH_DELTA_BYTES = 64 * 1024;
  /** What a BATCH frame holds besides its deltas: the type byte, seq (at most 10 bytes) and count (at most 5). */
  private static final int BATCH_OVERHEAD = 1 + 10 + 5;

  private final int maxFrameBytes;
  private final long generation;
  private final Path socket;
  private final FrameWriter scratch = new FrameWriter();

  FrameLimit(Connection connection, Path socket) {
    this.maxFrameBytes = connection.maxFrameBytes();
    this.generation = connection.generation();
    this.socket = socket;
  }

  /** How many delta bytes a BATCH is filled with at most; a lone longer delta goes alone if it {@link #batchFits}. */
  int batchTarget() {
    return Math.min(MAX_BATCH_DELTA_BYTES, maxFrameBytes - BATCH_OVERHEAD);
  }

  /** Whether a BATCH frame of {@code deltaBytes} bytes of deltas fits. */
  boolean batchFits(int deltaBytes) {
    return deltaBytes <= maxFrameBytes - BATCH_OVERHEAD;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The connection these limits are of. */
  long generation() {
    return generation;
  }

  /** Whether an encoded frame of {@code bytes} bytes, length prefix included, fits. */
  boolean fits(int bytes) {
    return bytes - Protocol.LENGTH_PREFIX_BYTES <= maxFrameBytes;
  }

  /**
   * Writes the DEFINE of {@code s} to {@code out} unless it was written on this connection already.
   * False, with {@code s} rejected on this connection and a warning, when the DEFINE does not fit.
   */
  boolean define(Series s, FrameWriter out) {
    if (s.definedOn == generation) {
      return true;
    }
    scratch.clear();
    s.define(scratch);
    if (!fits(scratch.size())) {
      s.rejectedOn = generation;
      Delivery.LOG.log(Level.WARNING, "pidless: " + s + " is not sent to the aggregator at " + socket
          + ": its definition takes " + (scratch.size() - Protocol.LENGTH_PREFIX_BYTES) + " bytes, more than the aggregator's"
          + " --max-frame-bytes " + maxFrameBytes + ". Shorten its help text or label values, or raise"
          + " --max-frame-bytes");
      return false;
    }
    out.bytes(scratch.toByteArray());
    s.definedOn = generation;
    return true;
  }

  /** {@link #define Defines} every series of {@code series}; false if one does not fit. */
  boolean defineAll(List<Series> series, FrameWriter out) {
    boolean all = true;
    for (Series s : series) {
      all &= define(s, out);
    }
    return all;
  }
}
