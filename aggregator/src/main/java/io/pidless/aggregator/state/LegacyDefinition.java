package io.pidless.aggregator.state;

import io.pidless.protocol.MetricType;
import java.io.DataInput;
import java.io.IOException;

/**
 * The definition each series of a version 1 or 2 file carries before its times: its family, written
 * again for every series, and its label values. The reader keeps one family table row per distinct
 * family, so these files restore through the same family-at-a-time path as version 3.
 */
record LegacyDefinition(SavedFamily family, String[] labelValues) {

  static LegacyDefinition read(DataInput in) throws IOException {
    MetricType type = SavedFamily.type(in.readByte());
    int mode = in.readByte();
    String name = in.readUTF();
    String help = in.readUTF();
    int labels = SavedFamily.count(in.readShort(), "label");
    String[] names = new String[labels];
    String[] values = new String[labels];
    for (int l = 0; l < labels; l++) {
      names[l] = in.readUTF();
      values[l] = in.readUTF();
    }
    double[] bounds = SavedFamily.bounds(in);
    return new LegacyDefinition(new SavedFamily(type, mode, name, help, SavedFamily.inOrder(names), bounds), values);
  }
}
