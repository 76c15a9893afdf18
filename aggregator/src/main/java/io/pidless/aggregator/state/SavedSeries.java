package io.pidless.aggregator.state;

import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.protocol.MetricType;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * One series as {@link StateWriter} saved it: its definition, times and values. Reading checks every
 * count before it sizes an array, so content that passes the checksum but makes no sense (a label
 * count of -1, say) is an {@link StateReader.UnreadableStateException}, never a runtime exception.
 */
record SavedSeries(DefineRequest request, long createdMillis, long idleLeftNanos, boolean present,
    double value, long count, long[] buckets) {

  static SavedSeries read(DataInputStream in) throws IOException {
    MetricType type = MetricType.fromCode(in.readByte());
    if (type == null) {
      throw new StateReader.UnreadableStateException("an unknown metric type; was it written by a newer"
          + " aggregator?");
    }
    int mode = in.readByte();
    String family = in.readUTF();
    String help = in.readUTF();
    int labels = count(in.readShort(), "label");
    String[] names = new String[labels];
    String[] labelValues = new String[labels];
    for (int l = 0; l < labels; l++) {
      names[l] = in.readUTF();
      labelValues[l] = in.readUTF();
    }
    double[] bounds = new double[count(in.readShort(), "bucket bound")];
    for (int b = 0; b < bounds.length; b++) {
      bounds[b] = in.readDouble();
    }
    long created = in.readLong();
    long idleLeft = in.readLong();
    boolean present = in.readBoolean();
    double value = 0;
    long count = 0;
    long[] buckets = null;
    switch (type) {
      case COUNTER, GAUGE -> value = in.readDouble();
      case SUMMARY -> {
        count = in.readLong();
        value = in.readDouble();
      }
      case HISTOGRAM -> {
        buckets = new long[bounds.length + 1];
        for (int b = 0; b < buckets.length; b++) {
          buckets[b] = in.readLong();
        }
        value = in.readDouble();
      }
    }
    // A counter's family name lacks _total; defining it with the suffix maps back to the same family.
    String name = type == MetricType.COUNTER ? family + "_total" : family;
    return new SavedSeries(new DefineRequest(type.code(), mode, name, help, names, labelValues, bounds),
        created, idleLeft, present, value, count, buckets);
  }

  private static int count(short n, String what) throws StateReader.UnreadableStateException {
    if (n < 0) {
      throw new StateReader.UnreadableStateException(what + " count " + n);
    }
    return n;
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
    } else if (request.type() == MetricType.SUMMARY.code()) {
      out.addSummary(d, count, value);
    } else {
      out.addValue(d, value);
    }
  }
}
