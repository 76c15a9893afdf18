package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.store.SeriesStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The state file across one aggregator lifetime: restored, then consumed just before the socket
 * opens, and saved after the socket has drained. A file that cannot be read is moved aside and the
 * aggregator starts empty, as after a crash; it never keeps the aggregator from starting.
 *
 * <pre>{@code
 * StateFile state = new StateFile(Path.of("/run/pidless/pidless.state"), store, sessions, stats,
 *     Clock.systemUTC());
 * state.restore();   // before anything is served
 * state.consume();   // just before the socket opens
 * state.save();      // after ingest has stopped
 * }</pre>
 */
public final class StateFile {
  private static final Logger LOG = Logger.getLogger("io.pidless.aggregator");

  private final Path path;
  private final SeriesStore store;
  private final SessionRegistry sessions;
  private final AggregatorStats stats;
  private final Clock clock;
  private final PushBacklog pushes;

  public StateFile(Path path, SeriesStore store, SessionRegistry sessions, AggregatorStats stats, Clock clock) {
    this(path, store, sessions, stats, clock, PushBacklog.NONE);
  }

  /** Also keeps the remote_write pushes {@code pushes} could not deliver, and hands them back. */
  public StateFile(Path path, SeriesStore store, SessionRegistry sessions, AggregatorStats stats, Clock clock,
      PushBacklog pushes) {
    this.path = path;
    this.store = store;
    this.sessions = sessions;
    this.stats = stats;
    this.clock = clock;
    this.pushes = pushes;
  }

  /** Restores the last graceful stop's state, if any; null when there was none to restore. */
  public StateReader.Restored restore() throws IOException {
    long start = System.nanoTime();
    StateReader.Restored r;
    try {
      r = StateReader.restore(path, store, sessions, clock);
    } catch (StateReader.UnreadableStateException e) {
      Path aside = path.resolveSibling(path.getFileName() + ".unreadable");
      Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
      stats.stateFilesUnreadable.increment();
      LOG.severe(e.getMessage() + "; moved it to " + aside + " and starting empty (counters restart from 0)");
      return null;
    } catch (IOException e) {
      throw new IOException("cannot restore state from " + path + ": " + e.getMessage() + "; fix its"
          + " permissions, or pass --state-file off to start without it", e);
    }
    if (r == null) {
      LOG.fine(() -> "no state file at " + path + "; starting empty");
      return null;
    }
    LOG.info("restored " + r.series() + " series and " + r.sessions() + " sessions from " + path + " in "
        + (System.nanoTime() - start) / 1_000_000 + " ms, saved "
        + String.format(Locale.ROOT, "%.1f", r.downtime().toMillis() / 1000.0) + " s ago"
        + (r.expiredWhileDown() > 0 ? "; " + r.expiredWhileDown() + " series expired while stopped" : "")
        + (r.rejected() > 0 ? "; " + r.rejected() + " series skipped: the limits now refuse them" : "")
        + (r.pushes().isEmpty() ? "" : "; " + r.pushes().size() + " undelivered remote write pushes"));
    pushes.restore(r.pushes());
    return r;
  }

  /**
   * Deletes the restored file before the first client can change what it restored. This is what keeps
   * restores exact: after a crash the next start must begin from zero (a counter reset Prometheus
   * understands), not from this older save, which Prometheus would count a second time.
   */
  public void consume() throws IOException {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new IOException("cannot remove state file " + path + " after restoring it (" + e.getMessage()
          + "); a crash would restore it a second time. Give the aggregator write access to "
          + path.getParent() + ", or pass --state-file off", e);
    }
  }

  /** Saves the state; false, having logged why, when it could not. */
  public boolean save() {
    long start = System.nanoTime();
    try {
      StateWriter.Saved saved = StateWriter.save(path, store, sessions, pushes.undelivered(), clock);
      LOG.info("saved " + saved.series() + " series and " + saved.sessions() + " sessions"
          + (saved.pushes() == 0 ? "" : " (and " + saved.pushes() + " undelivered remote write pushes)") + " to "
          + path + " in "
          + (System.nanoTime() - start) / 1_000_000 + " ms; the next start restores them");
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "cannot save state to " + path + ": " + e + "; the next start begins empty (check"
          + " that the directory is writable and has space)");
      return false;
    }
  }
}
