package io.pidless.aggregator.state;

import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.Family;
import io.pidless.protocol.MetricType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row of the state file's family table: what every series of a family shares, saved once. A
 * restore checks it against the rules once, not per series. Equal rows are equal records, so the
 * version 2 reader, whose series each carry their family, can find the row it already has.
 */
record SavedFamily(MetricType type, int mode, String name, String help, String[] labelNames, double[] bounds) {

  /** The row of {@code f}. */
  static void write(DataOutput out, Family f) throws IOException {
    out.writeByte(f.type().code());
    out.writeByte(f.mode() == null ? 0 : f.mode().code());
    StateFormat.writeString(out, f.name());
    StateFormat.writeString(out, f.help());
    out.writeShort(f.labelNames().size());
    for (String label : f.labelNames()) {
      StateFormat.writeString(out, label);
    }
    double[] bounds = f.bounds();
    out.writeShort(bounds.length);
    for (double b : bounds) {
      out.writeDouble(b);
    }
  }

  static SavedFamily read(DataInput in, byte[] scratch) throws IOException {
    MetricType type = type(in.readByte());
    int mode = in.readByte();
    String name = StateFormat.readString(in, scratch);
    String help = StateFormat.readString(in, scratch);
    String[] labels = new String[count(in.readShort(), "label")];
    for (int l = 0; l < labels.length; l++) {
      labels[l] = StateFormat.readString(in, scratch);
    }
    return new SavedFamily(type, mode, name, help, inOrder(labels), bounds(in));
  }

  static MetricType type(byte code) throws StateReader.UnreadableStateException {
    MetricType type = MetricType.fromCode(code);
    if (type == null) {
      throw new StateReader.UnreadableStateException("an unknown metric type; was it written by a newer"
          + " aggregator?");
    }
    return type;
  }

  static double[] bounds(DataInput in) throws IOException {
    double[] bounds = new double[count(in.readShort(), "bucket bound")];
    for (int b = 0; b < bounds.length; b++) {
      bounds[b] = in.readDouble();
    }
    return bounds;
  }

  /**
   * The label names, which the writer keeps in the family's order, ascending; in any other order
   * the label values would not line up with them.
   */
  static String[] inOrder(String[] labels) throws StateReader.UnreadableStateException {
    for (int l = 1; l < labels.length; l++) {
      if (labels[l].compareTo(labels[l - 1]) < 0) {
        throw new StateReader.UnreadableStateException("label names out of order (" + labels[l - 1] + ", "
            + labels[l] + ")");
      }
    }
    return labels;
  }

  static int count(short n, String what) throws StateReader.UnreadableStateException {
    if (n < 0) {
      throw new StateReader.UnreadableStateException(what + " count " + n);
    }
    return n;
  }

  /** The family as a DEFINE would give it (a counter's name with {@code _total}), without label values. */
  DefineRequest request() {
    String defined = type == MetricType.COUNTER ? name + "_total" : name;
    return new DefineRequest(type.code(), mode, defined, help, labelNames, new String[0], bounds);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SavedFamily f && type == f.type && mode == f.mode && name.equals(f.name)
        && help.equals(f.help) && Arrays.equals(labelNames, f.labelNames) && Arrays.equals(bounds, f.bounds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, mode, name, help, Arrays.hashCode(labelNames), Arrays.hashCode(bounds));
  }

  @Override
  public String toString() {
    return type + " " + name;
  }
}
