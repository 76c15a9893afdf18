package io.pidless.client;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Gets deltas to the aggregator exactly once (docs/PROTOCOL.md, "A session, step by step"). It owns
 * the session id, the sequence numbers, the batches not yet ACKed and the connection, and runs the
 * daemon flusher thread that drains every series each interval or when {@link #flush} asks.
 *
 * <p>On a broken connection it reconnects with backoff under the same session, DEFINEs again (same
 * ids) the series of each un-ACKed batch, re-sends those batches with their original seq and marks
 * live gauges to be sent again; any other series is defined again only once it has a delta, so a
 * reconnect does not bring back series the aggregator expired. While it cannot connect it cuts no batches: deltas stay merged in the series, so
 * memory stays bounded by the number of series. Nothing here throws into user code.
 *
 * <p>A series whose DEFINE the aggregator rejects (a 2xx ERROR: {@code SERIES_LIMIT}, {@code TYPE_CLASH}...)
 * is rejected on that connection only: its deltas are dropped instead of sent there, and after a
 * reconnect it is defined again with its next delta, so it recovers once the cause is fixed
 * ({@code --max-series} raised, old series expired) without restarting the JVM. The rejection is
 * logged once, and again only if the series is rejected after a connection accepted it.
 *
 * <p>Concurrency: {@code lock} guards the fields marked so; the flusher thread alone assigns ids,
 * drains series and writes; each connection's reader thread only reports answers.
 */
final class Delivery {
  static final System.Logger LOG = System.getLogger("io.pidless.client");
  /** Ids a connection may bind (docs/PROTOCOL.md): series beyond are not sent. */
  static final int MAX_SERIES = Protocol.MAX_IDS_PER_CONNECTION;
  /** With this many batches un-ACKed, new deltas wait in the series instead of in more batches. */
  static final int MAX_UNACKED_BATCHES = 64;

  private final Path socket;
  private final AggregatorUid aggregatorUid;
  private final long intervalNanos;
  private final String clientName;
  private final Supplier<List<Series>> series;
  private final byte[] session = new byte[16];
  /** Reset by an ACK, not by connecting: an aggregator that accepts and then closes is backed off too. */
  private final Backoff backoff = new Backoff(50_000_000L, 5_000_000_000L);
  private final Thread flusher;

  private final Object lock = new Object();
  // guarded by lock
  private final TreeMap<Long, BatchEncoder.Batch> unacked = new TreeMap<>();
  private final List<Series> defined = new ArrayList<>();
  /** Ids of series whose rejection was logged and that no connection has accepted since. */
  private final Set<Long> reportedRejections = new HashSet<>();
  private Connection connection;
  private long requested;
  private long completed;
  private long completedOk;
  private long cutSeq;
  private boolean closed;
  private boolean outageReported;
  private long instance;
  // flusher thread only
  private long nextSeq = 1;
  private boolean seriesLimitReported;
  /** Counts connections; a series whose {@code definedOn} differs must be defined before use. */
  private long generation;

  Delivery(Path socket, AggregatorUid aggregatorUid, Duration interval, String clientName,
      Supplier<List<Series>> series) {
    this.socket = socket;
    this.aggregatorUid = aggregatorUid;
    this.intervalNanos = interval.toNanos();
    this.clientName = clientName;
    this.series = series;
    new SecureRandom().nextBytes(session);
    this.flusher = new Thread(this::runFlusher, "pidless-flusher");
    flusher.setDaemon(true);
    flusher.start();
  }

  Path socket() {
    return socket;
  }

  /**
   * Asks the flusher to send everything recorded so far and waits until the aggregator ACKed it.
   * False on timeout, interrupt, or when the aggregator cannot be reached right now; the deltas are
   * kept and sent later either way.
   */
  boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      if (closed) {
        return false;
      }
      long gen = ++requested;
      lock.notifyAll();
      while (completed < gen) {
        if (!await(deadline)) {
          return false;
        }
      }
      if (completedOk < gen) {
        return false;
      }
      long target = cutSeq;
      while (!unacked.isEmpty() && unacked.firstKey() <= target) {
        if (!await(deadline)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Flushes, then stops the flusher and closes the connection. */
  boolean close(Duration timeout) {
    boolean ok = flush(timeout);
    Connection c;
    synchronized (lock) {
      closed = true;
      c = connection;
      connection = null;
      lock.notifyAll();
    }
    if (c != null) {
      c.close();
    }
    return ok;
  }

  /** Waits on {@code lock} until notified; false once the deadline passed or the client closed. */
  private boolean await(long deadline) {
    long ms = (deadline - System.nanoTime()) / 1_000_000;
    if (ms <= 0 || closed) {
      return false;
    }
    try {
      lock.wait(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void runFlusher() {
    long nextTick = System.nanoTime() + intervalNanos;
    while (true) {
      long gen;
      boolean asked;
      synchronized (lock) {
        while (!closed && requested == completed) {
          long wakeAt = nextTick;
          if (connection == null && !unacked.isEmpty()) {
            wakeAt = Math.min(wakeAt, backoff.nextAttemptNanos());
          }
          long ms = (wakeAt - System.nanoTime()) / 1_000_000;
          if (ms <= 0) {
            break;
          }
          try {
            lock.wait(ms);
          } catch (InterruptedException e) {
            LOG.log(Level.DEBUG, "pidless: flusher interrupted; it stops only when the client closes");
          }
        }
        if (closed) {
          return;
        }
        gen = requested;
        asked = requested != completed;
      }
      if (!asked) {
        nextTick = System.nanoTime() + intervalNanos;
      }
      boolean ok = false;
      try {
        ok = cycle(asked);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "pidless: unexpected error while sending metrics; retrying next flush", e);
      }
      synchronized (lock) {
        completed = gen;
        if (ok) {
          completedOk = gen;
        }
        cutSeq = nextSeq - 1;
        lock.notifyAll();
      }
    }
  }

  /** One flush: connects if needed, then cuts and writes a batch. False when not connected. */
  private boolean cycle(boolean asked) {
    Connection c;
    synchronized (lock) {
      c = connection;
    }
    if (c == null) {
      if (!asked && !backoff.due(System.nanoTime())) {
        return false;
      }
      c = connect();
      if (c == null) {
        return false;
      }
    }
    synchronized (lock) {
      if (unacked.size() >= MAX_UNACKED_BATCHES) {
        return true;
      }
    }
    FrameWriter out = new FrameWriter();
    BatchEncoder batch = new BatchEncoder(nextSeq, out, generation);
    for (Series s : series.get()) {
      if (s.id == 0 && !assignId(s, out)) {
        continue;
      }
      s.drain(batch);
    }
    List<BatchEncoder.Batch> batches = batch.finish();
    nextSeq = batch.nextSeq();
    synchronized (lock) {
      for (BatchEncoder.Batch b : batches) {
        unacked.put(b.seq(), b);
        out.bytes(b.frame());
      }
    }
    if (out.size() > 0) {
      try {
        c.write(out);
      } catch (IOException e) {
        lost(c, e);
      }
    }
    return true;
  }

  private boolean assignId(Series s, FrameWriter out) {
    synchronized (lock) {
      if (defined.size() >= MAX_SERIES) {
        if (!seriesLimitReported) {
          seriesLimitReported = true;
          LOG.log(Level.WARNING, "pidless: more than " + MAX_SERIES + " series in this process; " + s
              + " and later new series are not sent. Use fewer label values.");
        }
        return false;
      }
      defined.add(s);
      s.id = defined.size();
    }
    s.define(out);
    s.definedOn = generation;
    return true;
  }

  private Connection connect() {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      aggregatorUid.check(channel, socket);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      backoff.failed(System.nanoTime());
      reportOutage(e);
      return null;
    }
    FrameWriter hello = new FrameWriter();
    hello.hello(session, clientName);
    List<Series> again;
    Connection c = new Connection(channel, this, ++generation);
    synchronized (lock) {
      again = new ArrayList<>(defined);
      for (BatchEncoder.Batch b : unacked.values()) {
        for (Series s : b.series()) {
          if (s.definedOn != generation) {
            s.define(hello);
            s.definedOn = generation;
          }
        }
      }
      for (BatchEncoder.Batch b : unacked.values()) {
        hello.bytes(b.frame());
      }
      connection = c;
    }
    c.startReader();
    try {
      c.write(hello);
    } catch (IOException e) {
      lost(c, e);
      return null;
    }
    for (Series s : again) {
      s.afterReconnect();
    }
    return c;
  }

  private void reportOutage(Exception e) {
    synchronized (lock) {
      if (outageReported) {
        LOG.log(Level.DEBUG, "pidless: still cannot reach the aggregator at " + socket + ": " + e);
        return;
      }
      outageReported = true;
    }
    if (e instanceof AggregatorUid.Refused) {
      LOG.log(Level.WARNING, e.getMessage());
      return;
    }
    LOG.log(Level.WARNING, "pidless: cannot reach the aggregator at " + socket + " (" + e + "); metrics are "
        + "kept in memory and sent once it is up. Start it, or point PIDLESS_SOCKET (spark.pidless.socket"
        + " in Spark) at its socket.");
  }

  /** Called by a connection's reader for every answer, in the order the aggregator sent them. */
  void onAnswer(Connection c, ServerFrame f) {
    if (f instanceof ServerFrame.Ack ack) {
      backoff.succeeded();
      synchronized (lock) {
        accepted(c, unacked.remove(ack.seq()));
        lock.notifyAll();
      }
    } else if (f instanceof ServerFrame.HelloOk ok) {
      boolean restarted;
      synchronized (lock) {
        restarted = instance != 0 && instance != ok.instance();
        instance = ok.instance();
        outageReported = false;
      }
      if (restarted) {
        LOG.log(Level.INFO, "pidless: the aggregator at " + socket + " restarted");
      }
    } else if (f instanceof ServerFrame.Error err) {
      onError(c, err);
    }
  }

  /**
   * The series with a delta in {@code acked}, a batch {@code c} ACKed, were accepted there unless
   * rejected: an ERROR for a DEFINE comes before the ACK of any batch sent after it. Under {@code lock}.
   */
  private void accepted(Connection c, BatchEncoder.Batch acked) {
    if (acked == null || reportedRejections.isEmpty()) {
      return;
    }
    for (Series s : acked.series()) {
      if (s.rejectedOn != c.generation()) {
        reportedRejections.remove((long) s.id);
      }
    }
  }

  private void onError(Connection c, ServerFrame.Error err) {
    ErrorCode code = err.code();
    String what = (code == null ? "error " + err.rawCode() : code.name()) + ": " + err.message();
    if (code == ErrorCode.INVALID_VALUE) {
      synchronized (lock) {
        unacked.remove(err.ref());
        lock.notifyAll();
      }
      LOG.log(Level.WARNING, "pidless: the aggregator rejected batch " + err.ref() + " (" + what + ")");
    } else if (code != null && !code.closesConnection()) {
      Series s;
      synchronized (lock) {
        s = err.ref() >= 1 && err.ref() <= defined.size() ? defined.get((int) err.ref() - 1) : null;
        if (s != null) {
          s.rejectedOn = c.generation();
        }
        if (!reportedRejections.add(err.ref())) {
          return;
        }
      }
      LOG.log(Level.WARNING, "pidless: the aggregator rejected the definition of " + s + " (" + what
          + "); its updates are dropped until the next reconnect, which defines it again");
    } else if (code == ErrorCode.SESSION_TAKEN_OVER) {
      LOG.log(Level.DEBUG, "pidless: an older connection was replaced by a newer one");
    } else if (code != null && code.retryable()) {
      LOG.log(Level.WARNING, "pidless: the aggregator asks to retry later (" + what + "); reconnecting after a"
          + " backoff, nothing is lost");
    } else {
      LOG.log(Level.WARNING, "pidless: the aggregator closed the connection (" + what + "); reconnecting");
    }
  }

  /** Called when a connection broke; its un-ACKed batches go out again on the next connection. */
  void lost(Connection c, IOException e) {
    boolean current;
    boolean idle;
    synchronized (lock) {
      current = connection == c;
      idle = unacked.isEmpty();
      if (current) {
        connection = null;
        if (!idle) {
          backoff.failed(System.nanoTime());
        }
        lock.notifyAll();
      }
    }
    c.close();
    if (current && idle) {
      // With nothing waiting for an ACK this is most likely the aggregator's documented idle close
      // (docs/PROTOCOL.md, "Idle close"): the next flush reconnects, nothing is lost.
      LOG.log(Level.DEBUG, "pidless: the aggregator closed the idle connection at " + socket + " (" + e
          + "); reconnecting");
    } else if (current) {
      LOG.log(Level.INFO, "pidless: lost the connection to the aggregator at " + socket + " (" + e
          + "); reconnecting");
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "pidless: closing a failed socket failed", e);
    }
  }
}
