package io.pidless.client;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.ServerFrame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * The client's session with the aggregator: one connection at a time, and the batches it sent that
 * are not ACKed yet ({@link UnackedBatches}; docs/PROTOCOL.md, "A session, step by step"). After a
 * broken connection it
 * reconnects with backoff under the same session id, waits for HELLO_OK (whose
 * {@code max_frame_bytes} sizes every frame), DEFINEs again the series of each un-ACKed batch and
 * re-sends those batches with their original seq, so the aggregator applies each exactly once.
 *
 * <p>A series whose DEFINE the aggregator rejects (a 2xx ERROR: {@code SERIES_LIMIT},
 * {@code TYPE_CLASH}...) is rejected on that connection only: its deltas are dropped instead of sent
 * there, and after a reconnect it is defined again with its next delta, so it recovers once the
 * cause is fixed without restarting the JVM.
 *
 * <p>Concurrency: the flusher thread connects and sends; each connection's reader thread reports
 * answers and loss. This object's monitor guards the connection state; it may be held while taking
 * {@link UnackedBatches}'s, never the other way round, and is not held while calling anything else.
 */
final class AggregatorLink {
  /** How long a new connection waits for HELLO_OK before it is given up and retried. */
  private static final long HELLO_TIMEOUT_NANOS = 5_000_000_000L;

  private final Path socket;
  private final AggregatorUid aggregatorUid;
  private final String clientName;
  private final SeriesIds ids;
  private final Runnable wakeFlusher;
  private final UnackedBatches unacked = new UnackedBatches();
  private final byte[] session = new byte[16];
  /** Reset by an ACK, not by connecting: an aggregator that accepts and then closes is backed off too. */
  private final Backoff backoff = new Backoff(50_000_000L, 5_000_000_000L);
  /** Counts connections; a series whose {@code definedOn} differs must be defined before use. Flusher only. */
  private long generation;
  // guarded by this
  private Connection connection;
  private boolean closed;
  private boolean outageReported;
  private long instance;
  /** The last HELLO was answered with a retryable ERROR (SESSION_LIMIT...): the aggregator is there. */
  private boolean askedToRetry;

  AggregatorLink(Path socket, AggregatorUid aggregatorUid, String clientName, SeriesIds ids, Runnable wakeFlusher) {
    this.socket = socket;
    this.aggregatorUid = aggregatorUid;
    this.clientName = clientName;
    this.ids = ids;
    this.wakeFlusher = wakeFlusher;
    new SecureRandom().nextBytes(session);
  }

  Path socket() {
    return socket;
  }

  /** The open connection, null if none. */
  synchronized Connection connection() {
    return connection;
  }

  /** Whether a reconnect attempt is due now (no backoff pending). */
  boolean retryDue() {
    return backoff.due(System.nanoTime());
  }

  /** When the flusher should wake: {@code tick}, or earlier when batches wait for a reconnect. */
  synchronized long wakeAt(long tick) {
    return connection == null && !unacked.isEmpty() ? Math.min(tick, backoff.nextAttemptNanos()) : tick;
  }

  /**
   * When the last HELLO was answered "retry later", waits until the backoff lets the next attempt
   * run and returns true; false at once otherwise, or when {@code deadline} comes first.
   */
  boolean awaitRetry(long deadline) {
    long wakeAt;
    synchronized (this) {
      if (!askedToRetry || closed) {
        return false;
      }
      wakeAt = backoff.nextAttemptNanos();
    }
    long ms = (Math.min(wakeAt, deadline) - System.nanoTime()) / 1_000_000;
    try {
      Thread.sleep(Math.max(ms, 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return deadline - System.nanoTime() > 0;
  }

  /** Whether enough batches wait for an ACK that new deltas should stay in their series. */
  boolean saturated() {
    return unacked.full();
  }

  /**
   * Flusher thread: connects, says HELLO, waits for HELLO_OK and replays the un-ACKed batches.
   * Null, with the outage reported and the backoff grown, when that fails.
   */
  Connection connect() {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      aggregatorUid.check(channel, socket);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      synchronized (this) {
        askedToRetry = false;
      }
      backoff.failed(System.nanoTime());
      reportOutage(e);
      return null;
    }
    Connection c = new Connection(channel, this, ++generation);
    synchronized (this) {
      connection = c;
    }
    c.startReader();
    try {
      c.write(new FrameWriter().hello(session, clientName));
      if (c.awaitHello(HELLO_TIMEOUT_NANOS) == null) {
        backoff.failed(System.nanoTime());
        lost(c, new IOException("no HELLO_OK within " + HELLO_TIMEOUT_NANOS / 1_000_000_000 + " s"));
        return null;
      }
      c.write(replay(c));
    } catch (IOException e) {
      lost(c, e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lost(c, new IOException("interrupted while waiting for HELLO_OK"));
      return null;
    }
    return c;
  }

  /** The un-ACKed batches for new connection {@code c}, each after the DEFINEs of its series. */
  private FrameWriter replay(Connection c) {
    FrameWriter out = new FrameWriter();
    unacked.replay(new FrameLimit(c, socket), out, socket);
    return out;
  }

  /** Flusher thread: keeps {@code batches} until their ACK and writes them, after {@code defines}, to {@code c}. */
  void send(Connection c, FrameWriter defines, List<BatchEncoder.Batch> batches) {
    unacked.add(batches, defines);
    if (defines.size() > 0) {
      try {
        c.write(defines);
      } catch (IOException e) {
        lost(c, e);
      }
    }
  }

  /** Waits until every batch up to {@code lastSeq} was ACKed (or rejected); false on timeout, close or interrupt. */
  boolean awaitAcked(long lastSeq, long deadline) {
    return unacked.awaitDone(lastSeq, deadline);
  }

  /** Closes the connection; batches still un-ACKed are not sent any more. */
  void close() {
    Connection c;
    synchronized (this) {
      closed = true;
      c = connection;
      connection = null;
    }
    unacked.close();
    if (c != null) {
      c.close();
    }
  }

  /** Called by a connection's reader for every answer, in the order the aggregator sent them. */
  void onAnswer(Connection c, ServerFrame f) {
    if (f instanceof ServerFrame.Ack ack) {
      backoff.succeeded();
      ids.accepted(unacked.remove(ack.seq()), c.generation());
    } else if (f instanceof ServerFrame.HelloOk ok) {
      boolean restarted;
      synchronized (this) {
        restarted = instance != 0 && instance != ok.instance();
        instance = ok.instance();
        outageReported = false;
        askedToRetry = false;
      }
      if (restarted) {
        Delivery.LOG.log(Level.INFO, "pidless: the aggregator at " + socket + " restarted");
      }
    } else if (f instanceof ServerFrame.Error err) {
      onError(c, err);
    }
  }

  private void onError(Connection c, ServerFrame.Error err) {
    ErrorCode code = err.code();
    String what = (code == null ? "error " + err.rawCode() : code.name()) + ": " + err.message();
    if (code == ErrorCode.INVALID_VALUE) {
      unacked.remove(err.ref());
      Delivery.LOG.log(Level.WARNING, "pidless: the aggregator rejected batch " + err.ref() + " (" + what + ")");
    } else if (code != null && !code.closesConnection()) {
      Series s = ids.rejected(err.ref(), c.generation());
      if (s != null) {
        Delivery.LOG.log(Level.WARNING, "pidless: the aggregator rejected the definition of " + s + " (" + what
            + "); its updates are dropped until the next reconnect, which defines it again");
      }
    } else if (code == ErrorCode.SESSION_TAKEN_OVER) {
      Delivery.LOG.log(Level.DEBUG, "pidless: an older connection was replaced by a newer one");
    } else if (code != null && code.retryable()) {
      if (!c.greeted()) {
        synchronized (this) {
          askedToRetry = true;
        }
      }
      Delivery.LOG.log(Level.WARNING, "pidless: the aggregator asks to retry later (" + what + "); reconnecting"
          + " after a backoff, nothing is lost");
    } else {
      Delivery.LOG.log(Level.WARNING, "pidless: the aggregator closed the connection (" + what + "); reconnecting");
    }
  }

  /** Called when a connection broke; its un-ACKed batches go out again on the next connection. */
  void lost(Connection c, IOException e) {
    boolean current;
    boolean idle;
    synchronized (this) {
      current = connection == c;
      idle = unacked.isEmpty();
      if (current) {
        connection = null;
        if (!idle && c.greeted()) {
          backoff.failed(System.nanoTime());
        }
      }
    }
    c.close();
    if (current) {
      wakeFlusher.run();
    }
    if (current && idle) {
      // With nothing waiting for an ACK this is most likely the aggregator's documented idle close
      // (docs/PROTOCOL.md, "Idle close"): the next flush reconnects, nothing is lost.
      Delivery.LOG.log(Level.DEBUG, "pidless: the aggregator closed the idle connection at " + socket + " (" + e
          + "); reconnecting");
    } else if (current) {
      Delivery.LOG.log(Level.INFO, "pidless: lost the connection to the aggregator at " + socket + " (" + e
          + "); reconnecting");
    }
  }

  private void reportOutage(Exception e) {
    synchronized (this) {
      if (outageReported) {
        Delivery.LOG.log(Level.DEBUG, "pidless: still cannot reach the aggregator at " + socket + ": " + e);
        return;
      }
      outageReported = true;
    }
    if (e instanceof AggregatorUid.Refused) {
      Delivery.LOG.log(Level.WARNING, e.getMessage());
      return;
    }
    Delivery.LOG.log(Level.WARNING, "pidless: cannot reach the aggregator at " + socket + " (" + e + "); metrics"
        + " are kept in memory and sent once it is up. Start it, or point PIDLESS_SOCKET (spark.pidless.socket"
        + " in Spark) at its socket.");
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      Delivery.LOG.log(Level.DEBUG, "pidless: closing a failed socket failed", e);
    }
  }
}
