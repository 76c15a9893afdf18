package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionId;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DefinitionRejectedException;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.MetricType;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

/**
 * Reads back what {@link StateWriter} saved at the last graceful stop, before any client connects.
 * Series and sessions whose idle time ran out while the aggregator was down are not restored; series
 * the limits now refuse are skipped and counted. The file stays; {@link StateFile#consume} removes it.
 */
public final class StateReader {
  /** What a restore did. {@code downtime} is the wall-clock time between save and restore. */
  public record Restored(int series, int expiredWhileDown, int rejected, int sessions, Duration downtime,
      List<SavedPush> pushes) {}

  /** The file is not a state file this aggregator can read; it was left untouched. */
  public static final class UnreadableStateException extends IOException {
    UnreadableStateException(String message) {
      super(message);
    }
  }

  /** Restored values are applied in batches of this many series, as a client's batch would be. */
  private static final int APPLY_EVERY = 1024;

  private StateReader() {}

  /** Restores from {@code path}; null when there is no such file. */
  public static Restored restore(Path path, SeriesStore store, SessionRegistry sessions, Clock clock)
      throws IOException {
    checkIntact(path);
    try (VersionedInput in = open(path)) {
      return read(in.data(), in.version(), store, sessions, clock);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Compares the trailing CRC with the bytes before it, so a damaged file restores nothing at all. */
  private static void checkIntact(Path path) throws IOException {
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      return;
    }
    if (size < StateFormat.MAGIC.length + 4 + 8 + 4 + 4 + 4) {
      throw new UnreadableStateException("state file " + path + " is truncated (" + size + " bytes)");
    }
    CRC32 crc = new CRC32();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      byte[] magic = in.readNBytes(StateFormat.MAGIC.length);
      if (!Arrays.equals(magic, StateFormat.MAGIC)) {
        throw new UnreadableStateException("file " + path + " is not a pidless state file");
      }
      crc.update(magic);
      byte[] buf = new byte[1 << 16];
      long left = size - 4 - magic.length;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        crc.update(buf, 0, n);
        left -= n;
      }
      int stored = new DataInputStream(in).readInt();
      if (stored != (int) crc.getValue()) {
        throw new UnreadableStateException("state file " + path + " is damaged (checksum mismatch)");
      }
    }
  }

  /** The open file, positioned after its version. */
  private record VersionedInput(DataInputStream data, int version) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      data.close();
    }
  }

  private static VersionedInput open(Path path) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
    in.skipNBytes(StateFormat.MAGIC.length);
    int version = in.readInt();
    if (version != StateFormat.VERSION && version != StateFormat.VERSION_WITHOUT_PUSHES) {
      in.close();
      throw new UnreadableStateException("state file " + path + " has version " + version + "; this aggregator"
          + " reads versions " + StateFormat.VERSION_WITHOUT_PUSHES + " and " + StateFormat.VERSION);
    }
    return new VersionedInput(in, version);
  }

  private static Restored read(DataInputStream in, int version, SeriesStore store, SessionRegistry sessions,
      Clock clock) throws IOException {
    long downtimeMillis = Math.max(0, clock.millis() - in.readLong());
    long downtimeNanos = Duration.ofMillis(downtimeMillis).toNanos();
    int seriesCount = in.readInt();
    int restored = 0;
    int expired = 0;
    int rejected = 0;
    DeltaBuffer values = new DeltaBuffer();
    List<Definition> unused = new ArrayList<>(0);
    for (int i = 0; i < seriesCount; i++) {
      SavedSeries s = SavedSeries.read(in);
      long idleLeft = s.idleLeftNanos - downtimeNanos;
      if (idleLeft <= 0) {
        expired++;
        continue;
      }
      try {
        s.addValues(store.restore(s.request, s.createdMillis, idleLeft), values);
        restored++;
      } catch (DefinitionRejectedException e) {
        rejected++;
      }
      if (values.size() == APPLY_EVERY) {
        store.apply(values, 0, unused);
        values.clear();
      }
    }
    store.apply(values, 0, unused);
    int sessionCount = in.readInt();
    int remembered = 0;
    for (int i = 0; i < sessionCount; i++) {
      SessionId id = new SessionId(in.readLong(), in.readLong());
      long seq = in.readLong();
      long idleLeft = in.readLong() - downtimeNanos;
      if (idleLeft > 0) {
        sessions.restore(new SessionRegistry.Remembered(id, seq, idleLeft));
        remembered++;
      }
    }
    List<SavedPush> pushes = new ArrayList<>();
    int pushCount = version == StateFormat.VERSION_WITHOUT_PUSHES ? 0 : in.readInt();
    for (int i = 0; i < pushCount; i++) {
      String url = in.readUTF();
      int samples = in.readInt();
      pushes.add(new SavedPush(url, samples, in.readNBytes(in.readInt())));
    }
    return new Restored(restored, expired, rejected, remembered, Duration.ofMillis(downtimeMillis), pushes);
  }

  /** One series as saved: its definition, times and values. */
  private record SavedSeries(DefineRequest request, long createdMillis, long idleLeftNanos, boolean present,
      double value, long count, long[] buckets) {

    static SavedSeries read(DataInputStream in) throws IOException {
      MetricType type = MetricType.fromCode(in.readByte());
      if (type == null) {
        throw new UnreadableStateException("state file holds an unknown metric type; was it written by a newer"
            + " aggregator?");
      }
      int mode = in.readByte();
      String family = in.readUTF();
      String help = in.readUTF();
      int labels = in.readShort();
      String[] names = new String[labels];
      String[] labelValues = new String[labels];
      for (int l = 0; l < labels; l++) {
        names[l] = in.readUTF();
        labelValues[l] = in.readUTF();
      }
      double[] bounds = new double[in.readShort()];
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
}
