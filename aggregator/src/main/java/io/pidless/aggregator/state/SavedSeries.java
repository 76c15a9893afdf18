package io.pidless.aggregator.state;

import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.protocol.MetricType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One series as {@link StateWriter} saved it: the index of its family in the family table, its label
 * values in the family's label name order, its times and values. Reading checks every count before it
 * sizes an array, so content that passes the checksum but makes no sense is an
 * {@link StateReader.UnreadableStateException}, never a runtime exception.
 */
record SavedSeries(int family, String[] labelValues, long createdMillis, long idleLeftNanos, boolean present,
    double value, long count, long[] buckets) {

  /** Writes {@code s}, a series of the family at {@code familyIndex}; {@code scratch} holds a label text. */
  static void write(DataOutput out, SeriesSnapshot s, int familyIndex, long idleLeftNanos, byte[] scratch)
      throws IOException {
    out.writeInt(familyIndex);
    SavedLabelValues.write(out, s.key().labelText(), s.family().labelNames().size(), scratch);
    writeState(out, s, idleLeftNanos);
  }

  /** What follows a series' identity, the same in every version: times, presence, values. */
  static void writeState(DataOutput out, SeriesSnapshot s, long idleLeftNanos) throws IOException {
    out.writeLong(s.createdMillis());
    out.writeLong(idleLeftNanos);
    out.writeBoolean(s.present());
    switch (s.family().type()) {
      case COUNTER, GAUGE -> out.writeDouble(s.value());
      case SUMMARY -> {
        out.writeLong(s.count());
        out.writeDouble(s.sum());
      }
      case HISTOGRAM -> {
        long previous = 0;
        for (long cumulative : s.cumulativeBuckets()) {
          out.writeLong(cumulative - previous);
          previous = cumulative;
        }
        out.writeDouble(s.sum());
      }
    }
  }

  /** Reads a version 3 series' label values, one per label name of its family. */
  static String[] readLabelValues(DataInput in, SavedFamily family, byte[] scratch) throws IOException {
    String[] values = new String[family.labelNames().length];
    for (int l = 0; l < values.length; l++) {
      values[l] = StateFormat.readString(in, scratch);
    }
    return values;
  }

  /** Reads the rest of a series, from its {@code createdMillis} on: the same in every version. */
  static SavedSeries read(DataInput in, int familyIndex, SavedFamily family, String[] labelValues)
      throws IOException {
    long created = in.readLong();
    long idleLeft = in.readLong();
    boolean present = in.readBoolean();
    double value = 0;
    long count = 0;
    long[] buckets = null;
    switch (family.type()) {
      case COUNTER, GAUGE -> value = in.readDouble();
      case SUMMARY -> {
        count = in.readLong();
        value = in.readDouble();
      }
      case HISTOGRAM -> {
        buckets = new long[family.bounds().length + 1];
        for (int b = 0; b < buckets.length; b++) {
          buckets[b] = in.readLong();
        }
        value = in.readDouble();
      }
    }
    return new SavedSeries(familyIndex, labelValues, created, idleLeft, present, value, count, buckets);
  }

  /** The series' values as deltas from zero, which is what they are to a fresh series. */
  void addValues(Definition d, DeltaBuffer out) {
    if (!present) {
      return;
    }
    if (buckets != null) {
      int start = out.reserveBuckets(buckets.length);
      for (int b = 0; b < buckets.length; b++) {
        out.setBucket(start + b, buckets[b]);
      }
      out.addHistogram(d, start, value);
    } else if (d.family().type() == MetricType.SUMMARY) {
      out.addSummary(d, count, value);
    } else {
      out.addValue(d, value);
    }
  }
}
