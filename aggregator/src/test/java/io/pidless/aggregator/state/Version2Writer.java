package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.LabelText;
import io.pidless.aggregator.store.SeriesKey;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The state writer of version 2, as it was before the family table, kept only to write the files an
 * upgrade finds: every series with its own name, help and label names. Tests restore them with today's
 * reader to show that an upgrade keeps the state.
 */
final class Version2Writer {
  private Version2Writer() {}

  static void save(Path path, SeriesStore store, SessionRegistry sessions, List<SavedPush> pushes,
      Clock clock) throws IOException {
    List<SeriesSnapshot> series = StateWriter.savedSeries(store);
    ByteArrays.Output bytes = new ByteArrays.Output(1024);
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(StateFormat.MAGIC);
    out.writeInt(StateFormat.VERSION_WITHOUT_FAMILIES);
    out.writeLong(clock.millis());
    out.writeInt(series.size());
    for (SeriesSnapshot s : series) {
      writeSeries(out, s, store.idleLeftNanos(s.key()));
    }
    StateWriter.writeSessions(out, sessions.remembered());
    out.writeInt(pushes.size());
    for (SavedPush p : pushes) {
      out.writeUTF(p.url());
      out.writeInt(p.samples());
      out.writeInt(p.body().length);
      out.write(p.body());
    }
    StateWriter.seal(path, bytes, out);
  }

  private static void writeSeries(DataOutputStream out, SeriesSnapshot s, long idleLeftNanos) throws IOException {
    Family f = s.family();
    SeriesKey key = s.key();
    out.writeByte(f.type().code());
    out.writeByte(f.mode() == null ? 0 : f.mode().code());
    out.writeUTF(f.name());
    out.writeUTF(f.help());
    List<String> names = f.labelNames();
    String[] values = LabelText.values(key.labelText(), names.size());
    out.writeShort(names.size());
    for (int i = 0; i < values.length; i++) {
      out.writeUTF(names.get(i));
      out.writeUTF(values[i]);
    }
    double[] bounds = f.bounds();
    out.writeShort(bounds.length);
    for (double b : bounds) {
      out.writeDouble(b);
    }
    SavedSeries.writeState(out, s, idleLeftNanos);
  }
}
