package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.Definition;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.GaugeMode;

/**
 * Decodes a BATCH payload into a {@link DeltaBuffer} and checks every value rule, so that the batch
 * is applied whole or not at all. Framing faults throw; a broken value rule is kept in
 * {@link #invalid()} and the batch is rejected without closing the connection.
 */
final class BatchDecoder {
  private final FrameBytes in = new FrameBytes();
  private final DeltaBuffer deltas = new DeltaBuffer();
  private long seq;
  private int count;
  private int dropped;
  private String invalid;
  private boolean live;

  DeltaBuffer deltas() {
    return deltas;
  }

  long seq() {
    return seq;
  }

  /** Deltas in the frame, including dropped ones. */
  int count() {
    return count;
  }

  /** Deltas for ids whose definition was rejected. */
  int dropped() {
    return dropped;
  }

  /** True when a delta went to a live gauge (livesum, livemax, livemin), whose value the connection holds. */
  boolean live() {
    return live;
  }

  /** The first broken value rule, or null. */
  String invalid() {
    return invalid;
  }

  void decode(ByteBuf frame, SeriesTable table) {
    in.load(frame);
    try {
      decode(table);
    } finally {
      in.unload();
    }
  }

  private void decode(SeriesTable table) {
    deltas.clear();
    dropped = 0;
    invalid = null;
    live = false;
    seq = in.varint("seq");
    if (seq <= 0) {
      throw Payload.malformed("batch seq " + Long.toUnsignedString(seq) + " is outside 1..2^63-1");
    }
    count = in.count("delta count", 2);
    if (count == 0) {
      throw Payload.malformed("batch " + seq + " has no deltas");
    }
    for (int i = 0; i < count; i++) {
      long id = in.varint("series id");
      Definition counter = table.counter(id);
      if (counter != null) {
        deltas.addValue(counter, counterIncrement(id));
        continue;
      }
      SeriesTable.Slot slot = table.get(id);
      if (slot == null) {
        throw new ProtocolException(ErrorCode.UNKNOWN_SERIES_ID,
            "batch " + seq + " has a delta for series id " + id + ", which was never defined on this connection");
      }
      if (slot.type() == null) {
        throw Payload.malformed("batch " + seq + " has a delta for series id " + id
            + ", whose definition named an unknown type, so its shape is unknown");
      }
      switch (slot.type()) {
        case COUNTER -> add(slot, counterIncrement(id));
        case GAUGE -> {
          double v = in.f64();
          if (slot.mode() == GaugeMode.SUM && !Double.isFinite(v)) {
            invalid(id, "gauge change", v, "finite");
          }
          live |= slot.def() != null && slot.mode() != null && slot.mode().isLive();
          add(slot, v);
        }
        case HISTOGRAM -> {
          int n = slot.bucketCount();
          int start = deltas.reserveBuckets(n);
          for (int j = 0; j < n; j++) {
            long inc = in.varint("bucket increment");
            if (inc < 0) {
              invalid(id, "bucket increment", Long.toUnsignedString(inc), "below 2^63");
            }
            deltas.setBucket(start + j, inc);
          }
          double sum = in.f64();
          if (!Double.isFinite(sum)) {
            invalid(id, "histogram sum increment", sum, "finite");
          }
          if (slot.def() == null) {
            dropped++;
          } else {
            deltas.addHistogram(slot.def(), start, sum);
          }
        }
        case SUMMARY -> {
          long c = in.varint("summary count increment");
          double sum = in.f64();
          if (c < 0) {
            invalid(id, "summary count increment", Long.toUnsignedString(c), "below 2^63");
          }
          if (!Double.isFinite(sum)) {
            invalid(id, "summary sum increment", sum, "finite");
          }
          if (slot.def() == null) {
            dropped++;
          } else {
            deltas.addSummary(slot.def(), c, sum);
          }
        }
      }
    }
    in.expectEnd("BATCH");
  }

  private double counterIncrement(long id) {
    double v = in.f64();
    if (!(v >= 0 && v != Double.POSITIVE_INFINITY)) {
      invalid(id, "counter increment", v, "finite and >= 0");
    }
    return v;
  }

  private void add(SeriesTable.Slot slot, double v) {
    if (slot.def() == null) {
      dropped++;
    } else {
      deltas.addValue(slot.def(), v);
    }
  }

  /** Keeps the first broken value rule; the value is boxed only here, off the per-delta path. */
  private void invalid(long id, String what, Object value, String rule) {
    if (invalid == null) {
      invalid = "batch " + seq + " rejected whole: series id " + id + " has " + what + " " + value
          + ", which must be " + rule + ". Nothing of this batch was applied; do not re-send it";
    }
  }
}
