package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionId;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DefinitionRejectedException;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.SeriesStore;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Reads back what {@link StateWriter} saved at the last graceful stop, before any client connects.
 * Series and sessions whose idle time ran out while the aggregator was down are not restored; series
 * the limits now refuse are skipped and counted. The file stays; {@link StateFile#consume} removes it.
 * A file that is damaged, of another version, or passes its checksum but does not decode is an
 * {@link UnreadableStateException} and restores nothing. Version 2 adds the remote_write pushes not
 * delivered at the stop; version 1 files, without them, are still read.
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

  /**
   * Restores from {@code path}; null when there is no such file. The file is decoded completely once
   * before anything is restored, so content that cannot be decoded restores nothing at all.
   */
  public static Restored restore(Path path, SeriesStore store, SessionRegistry sessions, Clock clock)
      throws IOException {
    if (!checkIntact(path)) {
      return null;
    }
    try (VersionedInput in = open(path)) {
      decode(in, path, CHECK_ONLY);
    }
    Restorer restorer = new Restorer(store, sessions, clock);
    try (VersionedInput in = open(path)) {
      decode(in, path, restorer);
    }
    return restorer.result();
  }

  /** Compares the trailing CRC with the bytes before it, so a damaged file restores nothing at all. */
  private static boolean checkIntact(Path path) throws IOException {
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      return false;
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
    return true;
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

  /** What one pass over the file does with what it decodes, in file order. */
  private interface Visitor {
    void savedAt(long millis);

    void series(SavedSeries s) throws IOException;

    void session(SessionRegistry.Remembered r);

    void push(SavedPush p);
  }

  /** A pass that only checks that everything decodes. */
  private static final Visitor CHECK_ONLY = new Visitor() {
    @Override
    public void savedAt(long millis) {}

    @Override
    public void series(SavedSeries s) {}

    @Override
    public void session(SessionRegistry.Remembered r) {}

    @Override
    public void push(SavedPush p) {}
  };

  /**
   * Reads everything after the version, handing each part to {@code visitor}, and checks that the
   * checksum follows the last session (version 1) or push (version 2). Anything that does not decode
   * is an {@link UnreadableStateException} naming where it went wrong.
   */
  private static void decode(VersionedInput file, Path path, Visitor visitor) throws IOException {
    DataInputStream in = file.data();
    String where = "its header";
    try {
      visitor.savedAt(in.readLong());
      int seriesCount = count(in.readInt(), "series");
      for (int i = 0; i < seriesCount; i++) {
        where = "series " + (i + 1) + " of " + seriesCount;
        visitor.series(SavedSeries.read(in));
      }
      where = "the session count";
      int sessionCount = count(in.readInt(), "session");
      for (int i = 0; i < sessionCount; i++) {
        where = "session " + (i + 1) + " of " + sessionCount;
        visitor.session(new SessionRegistry.Remembered(new SessionId(in.readLong(), in.readLong()),
            in.readLong(), in.readLong()));
      }
      if (file.version() != StateFormat.VERSION_WITHOUT_PUSHES) {
        where = "the push count";
        int pushCount = count(in.readInt(), "push");
        for (int i = 0; i < pushCount; i++) {
          where = "remote write push " + (i + 1) + " of " + pushCount;
          visitor.push(readPush(in));
        }
      }
      where = "the checksum";
      in.readInt();
      if (in.read() != -1) {
        throw new UnreadableStateException("bytes after the checksum");
      }
    } catch (EOFException e) {
      throw undecodable(path, "it ends inside " + where);
    } catch (UnreadableStateException | UTFDataFormatException e) {
      throw undecodable(path, e.getMessage() + " in " + where);
    } catch (RuntimeException e) {
      throw undecodable(path, e + " in " + where);
    }
  }

  /**
   * One undelivered push. Its body is read as far as the file goes, so a length beyond the file
   * allocates no more than the file holds and ends in an {@link EOFException}.
   */
  private static SavedPush readPush(DataInputStream in) throws IOException {
    String url = in.readUTF();
    int samples = count(in.readInt(), "sample");
    int length = in.readInt();
    if (length < 0) {
      throw new UnreadableStateException("body length " + length);
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new EOFException();
    }
    return new SavedPush(url, samples, body);
  }

  private static UnreadableStateException undecodable(Path path, String why) {
    return new UnreadableStateException("state file " + path + " passes its checksum but cannot be decoded ("
        + why + ")");
  }

  private static int count(int n, String what) throws UnreadableStateException {
    if (n < 0) {
      throw new UnreadableStateException(what + " count " + n);
    }
    return n;
  }

  /**
   * The pass that restores: series and sessions whose idle time ran out while the aggregator was down
   * are left out, series the limits now refuse are skipped and counted.
   */
  private static final class Restorer implements Visitor {
    private final SeriesStore store;
    private final SessionRegistry sessions;
    private final Clock clock;
    private final DeltaBuffer values = new DeltaBuffer();
    private final List<Definition> unused = new ArrayList<>(0);
    private final List<SavedPush> pushes = new ArrayList<>();
    private long downtimeMillis;
    private long downtimeNanos;
    private int restored;
    private int expired;
    private int rejected;
    private int remembered;

    Restorer(SeriesStore store, SessionRegistry sessions, Clock clock) {
      this.store = store;
      this.sessions = sessions;
      this.clock = clock;
    }

    @Override
    public void savedAt(long millis) {
      downtimeMillis = Math.max(0, clock.millis() - millis);
      downtimeNanos = Duration.ofMillis(downtimeMillis).toNanos();
    }

    @Override
    public void series(SavedSeries s) {
      long idleLeft = s.idleLeftNanos() - downtimeNanos;
      if (idleLeft <= 0) {
        expired++;
        return;
      }
      try {
        s.addValues(store.restore(s.request(), s.createdMillis(), idleLeft), values);
        restored++;
      } catch (DefinitionRejectedException e) {
        rejected++;
      }
      if (values.size() == APPLY_EVERY) {
        flush();
      }
    }

    @Override
    public void session(SessionRegistry.Remembered r) {
      if (r.idleLeftNanos() - downtimeNanos > 0
          && sessions.restore(new SessionRegistry.Remembered(r.id(), r.settledSeq(), r.idleLeftNanos() - downtimeNanos))) {
        remembered++;
      }
    }

    @Override
    public void push(SavedPush p) {
      pushes.add(p);
    }

    private void flush() {
      store.apply(values, 0, unused);
      values.clear();
    }

    Restored result() {
      flush();
      return new Restored(restored, expired, rejected, remembered, Duration.ofMillis(downtimeMillis),
          List.copyOf(pushes));
    }
  }
}
