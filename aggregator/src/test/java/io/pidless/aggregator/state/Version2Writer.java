package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.LabelText;
import io.pidless.aggregator.store.SeriesKey;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The state writer of version 2, as it was before the family table, kept only to write the files an
 * upgrade finds: every series with its own name, help and label names. Tests restore them with today's
 * reader to show that an upgrade keeps the state.
 */
final class Version2Writer {
  private Version2Writer() {}

  static void save(Path path, SeriesStore store, SessionRegistry sessions, List<SavedPush> pushes,
      Clock clock) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    List<SeriesSnapshot> series = store.snapshot().stream()
        .filter(s -> !s.family().live())
        .toList();
    List<SessionRegistry.Remembered> remembered = sessions.remembered();
    CRC32 crc = new CRC32();
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (DataOutputStream out = new DataOutputStream(new CheckedOutputStream(
        new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), crc))) {
      out.write(StateFormat.MAGIC);
      out.writeInt(StateFormat.VERSION_WITHOUT_FAMILIES);
      out.writeLong(clock.millis());
      out.writeInt(series.size());
      for (SeriesSnapshot s : series) {
        writeSeries(out, s, store.idleLeftNanos(s.key()));
      }
      out.writeInt(remembered.size());
      for (SessionRegistry.Remembered r : remembered) {
        out.writeLong(r.id().high());
        out.writeLong(r.id().low());
        out.writeLong(r.settledSeq());
        out.writeLong(r.idleLeftNanos());
      }
      out.writeInt(pushes.size());
      for (SavedPush p : pushes) {
        out.writeUTF(p.url());
        out.writeInt(p.samples());
        out.writeInt(p.body().length);
        out.write(p.body());
      }
      out.flush();
      out.writeInt((int) crc.getValue());
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
    out.writeLong(s.createdMillis());
    out.writeLong(idleLeftNanos);
    out.writeBoolean(s.present());
    switch (f.type()) {
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
}
