package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Saves, at a graceful stop, what the next start needs so that a restart is invisible: every merged
 * series (live gauges excepted: their writers' connections are gone) with its values, {@code _created}
 * time and idle time left, and every session's settled sequence number. Without it, counters reset,
 * the deltas applied since Prometheus' last scrape are never seen, and a batch re-sent across the
 * restart would apply twice.
 *
 * <p>The file is written in {@link StateFormat}'s version 3: each family's name, help and label names once
 * in a family table, each series as its row's index, its label values and its values. It is put
 * together in memory and written at once, beside its final path, synced, then renamed over it: a crash leaves the old
 * file or the new one, never half of one. Call it only once ingest has stopped, so the series and
 * the sessions agree.
 *
 * <p>Remote_write pushes not delivered by then are kept too, so the next start can still send them.
 */
public final class StateWriter {
  /** What was saved. */
  public record Saved(int series, int sessions, int pushes) {}

  private StateWriter() {}

  public static Saved save(Path path, SeriesStore store, SessionRegistry sessions, List<SavedPush> pushes,
      Clock clock) throws IOException {
    List<SeriesSnapshot> series = savedSeries(store);
    List<SessionRegistry.Remembered> remembered = sessions.remembered();
    ByteArrays.Output bytes = new ByteArrays.Output(1024 + series.size() * 48);
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(StateFormat.MAGIC);
    out.writeInt(StateFormat.VERSION);
    out.writeLong(clock.millis());
    Map<Family, Integer> families = familyTable(series);
    out.writeInt(families.size());
    for (Family f : families.keySet()) {
      SavedFamily.write(out, f);
    }
    out.writeInt(series.size());
    byte[] scratch = new byte[1024];
    Family family = null;
    int row = -1;
    for (SeriesSnapshot s : series) {
      byte[] labelText = s.key().labelText();
      if (labelText.length > scratch.length) {
        scratch = new byte[labelText.length];
      }
      if (s.family() != family) {
        family = s.family();
        row = families.get(family);
      }
      SavedSeries.write(out, s, row, store.idleLeftNanos(s.key()), scratch);
    }
    writeSessions(out, remembered);
    out.writeInt(pushes.size());
    for (SavedPush p : pushes) {
      StateFormat.writeString(out, p.url());
      out.writeInt(p.samples());
      out.writeInt(p.body().length);
      out.write(p.body());
    }
    seal(path, bytes, out);
    return new Saved(series.size(), remembered.size(), pushes.size());
  }

  /** What is saved of {@code store}: every series but the live gauges. */
  static List<SeriesSnapshot> savedSeries(SeriesStore store) {
    return store.snapshot().stream().filter(s -> !s.family().live()).toList();
  }

  static void writeSessions(DataOutputStream out, List<SessionRegistry.Remembered> remembered) throws IOException {
    out.writeInt(remembered.size());
    for (SessionRegistry.Remembered r : remembered) {
      out.writeLong(r.id().high());
      out.writeLong(r.id().low());
      out.writeLong(r.settledSeq());
      out.writeLong(r.idleLeftNanos());
    }
  }

  /**
   * Ends the file held in {@code bytes} (which {@code out} writes to) with its checksum, and puts it at
   * {@code path} atomically: written beside it, synced, renamed over it.
   */
  static void seal(Path path, ByteArrays.Output bytes, DataOutputStream out) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(bytes.bytes(), 0, bytes.size());
    out.writeInt((int) crc.getValue());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes.bytes(), 0, bytes.size());
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Each family of {@code series} with its row in the family table, in the order the rows are written. */
  private static Map<Family, Integer> familyTable(List<SeriesSnapshot> series) {
    Map<Family, Integer> rows = new LinkedHashMap<>();
    Family last = null;
    for (SeriesSnapshot s : series) {
      if (s.family() != last) {
        last = s.family();
        rows.putIfAbsent(last, rows.size());
      }
    }
    return rows;
  }
}
