package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionId;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.SeriesStore;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Reads back what {@link StateWriter} saved at the last graceful stop, before any client connects.
 * Series and sessions whose idle time ran out while the aggregator was down are not restored; series
 * the limits now refuse are skipped and counted. The file stays; {@link StateFile#consume} removes it.
 * A file that is damaged, of another version, or passes its checksum but does not decode is an
 * {@link UnreadableStateException} and restores nothing. Version 3 files hold a family table; version
 * 2 files, whose series each carry their family, and version 1 files, without remote_write pushes, are
 * still read, so an upgrade keeps the state.
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
  static final int APPLY_EVERY = 1024;

  private StateReader() {}

  /**
   * Restores from {@code path}; null when there is no such file. The file is read into memory and
   * decoded completely once before anything is restored, so content that cannot be decoded restores
   * nothing at all.
   */
  public static Restored restore(Path path, SeriesStore store, SessionRegistry sessions, Clock clock)
      throws IOException {
    byte[] file;
    try {
      file = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return null;
    }
    int version = checkIntact(path, file);
    decode(file, version, path, CHECK_ONLY);
    StateRestorer restorer = new StateRestorer(store, sessions, clock);
    decode(file, version, path, restorer);
    return restorer.result();
  }

  /**
   * How many series the file at {@code path} says it holds, read from its header (and, in version 3,
   * its family table) alone: what the store is sized for before the restore inserts them, so that its
   * table does not grow step by step through 100,000 inserts. 0 when there is no file or its header
   * does not decode; nothing is checked here that {@link #restore} does not check again.
   */
  public static int seriesCount(Path path) {
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
      in.skipNBytes(StateFormat.MAGIC.length);
      int version = in.readInt();
      in.readLong();
      if (version >= StateFormat.VERSION) {
        byte[] scratch = new byte[StateFormat.MAX_STRING_BYTES];
        for (int i = count(in.readInt(), "family"); i > 0; i--) {
          SavedFamily.read(in, scratch);
        }
      }
      return Math.max(0, in.readInt());
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Compares the trailing CRC with the bytes before it, so a damaged file restores nothing at all, and
   * returns the file's version if this aggregator reads it.
   */
  private static int checkIntact(Path path, byte[] file) throws IOException {
    if (file.length < StateFormat.MAGIC.length + 4 + 8 + 4 + 4 + 4) {
      throw new UnreadableStateException("state file " + path + " is truncated (" + file.length + " bytes)");
    }
    if (!Arrays.equals(file, 0, StateFormat.MAGIC.length, StateFormat.MAGIC, 0, StateFormat.MAGIC.length)) {
      throw new UnreadableStateException("file " + path + " is not a pidless state file");
    }
    CRC32 crc = new CRC32();
    crc.update(file, 0, file.length - 4);
    DataInputStream in = new DataInputStream(new ByteArrays.Input(file));
    in.skipNBytes(file.length - 4);
    if (in.readInt() != (int) crc.getValue()) {
      throw new UnreadableStateException("state file " + path + " is damaged (checksum mismatch)");
    }
    in = new DataInputStream(new ByteArrays.Input(file));
    in.skipNBytes(StateFormat.MAGIC.length);
    int version = in.readInt();
    if (version < StateFormat.VERSION_WITHOUT_PUSHES || version > StateFormat.VERSION) {
      throw new UnreadableStateException("state file " + path + " has version " + version + "; this aggregator"
          + " reads versions " + StateFormat.VERSION_WITHOUT_PUSHES + " to " + StateFormat.VERSION);
    }
    return version;
  }

  /** A pass that only checks that everything decodes. */
  private static final StateVisitor CHECK_ONLY = new StateVisitor() {
    @Override
    public void savedAt(long millis) {}

    @Override
    public void family(SavedFamily f) {}

    @Override
    public void series(SavedSeries s) {}

    @Override
    public void session(SessionRegistry.Remembered r) {}

    @Override
    public void push(SavedPush p) {}
  };

  /**
   * Reads everything after the version, handing each part to {@code visitor}, and checks that the
   * checksum follows the last session (version 1) or push (versions 2 and 3). Anything that does not
   * decode is an {@link UnreadableStateException} naming where it went wrong.
   */
  private static void decode(byte[] file, int version, Path path, StateVisitor visitor) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrays.Input(file));
    in.skipNBytes(StateFormat.MAGIC.length + 4);
    byte[] scratch = new byte[StateFormat.MAX_STRING_BYTES];
    String where = "its header";
    try {
      visitor.savedAt(in.readLong());
      List<SavedFamily> families = new ArrayList<>();
      if (version >= StateFormat.VERSION) {
        where = "the family count";
        int familyCount = count(in.readInt(), "family");
        for (int i = 0; i < familyCount; i++) {
          where = "family " + (i + 1) + " of " + familyCount;
          SavedFamily f = SavedFamily.read(in, scratch);
          families.add(f);
          visitor.family(f);
        }
      }
      where = "the series count";
      int seriesCount = count(in.readInt(), "series");
      Map<SavedFamily, Integer> rows = new HashMap<>();
      for (int i = 0; i < seriesCount; i++) {
        where = "series " + (i + 1) + " of " + seriesCount;
        visitor.series(version >= StateFormat.VERSION ? readSeries(in, families, scratch)
            : readLegacySeries(in, families, rows, visitor));
      }
      where = "the session count";
      int sessionCount = count(in.readInt(), "session");
      for (int i = 0; i < sessionCount; i++) {
        where = "session " + (i + 1) + " of " + sessionCount;
        visitor.session(new SessionRegistry.Remembered(new SessionId(in.readLong(), in.readLong()),
            in.readLong(), in.readLong()));
      }
      if (version != StateFormat.VERSION_WITHOUT_PUSHES) {
        where = "the push count";
        int pushCount = count(in.readInt(), "push");
        for (int i = 0; i < pushCount; i++) {
          where = "remote write push " + (i + 1) + " of " + pushCount;
          visitor.push(readPush(in, version, scratch));
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

  /** A version 3 series, which refers to a row of the family table. */
  private static SavedSeries readSeries(DataInputStream in, List<SavedFamily> families, byte[] scratch)
      throws IOException {
    int index = in.readInt();
    if (index < 0 || index >= families.size()) {
      throw new UnreadableStateException("family " + index + " of a table of " + families.size());
    }
    SavedFamily f = families.get(index);
    return SavedSeries.read(in, index, f, SavedSeries.readLabelValues(in, f, scratch));
  }

  /**
   * A version 1 or 2 series, with its own definition. Its family becomes a row of {@code families},
   * told to {@code visitor}, unless an earlier series of the same family made it one already.
   */
  private static SavedSeries readLegacySeries(DataInputStream in, List<SavedFamily> families,
      Map<SavedFamily, Integer> rows, StateVisitor visitor) throws IOException {
    LegacyDefinition d = LegacyDefinition.read(in);
    Integer index = rows.get(d.family());
    if (index == null) {
      index = families.size();
      families.add(d.family());
      rows.put(d.family(), index);
      visitor.family(d.family());
    }
    return SavedSeries.read(in, index, d.family(), d.labelValues());
  }

  /**
   * One undelivered push. Its body is read as far as the file goes, so a length beyond the file
   * allocates no more than the file holds and ends in an {@link EOFException}.
   */
  private static SavedPush readPush(DataInputStream in, int version, byte[] scratch) throws IOException {
    String url = version >= StateFormat.VERSION ? StateFormat.readString(in, scratch) : in.readUTF();
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
}
