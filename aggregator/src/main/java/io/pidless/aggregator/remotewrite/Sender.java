package io.pidless.aggregator.remotewrite;

import io.pidless.aggregator.remotewrite.RemoteWriteStats.Failure;
import io.pidless.aggregator.state.SavedPush;
import io.pidless.aggregator.store.SeriesKey;
import io.pidless.aggregator.store.SeriesSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Delivers pushes to one remote_write endpoint on a thread of its own. It holds at most one push: the
 * newest. Samples are cumulative, so a newer push replaces an undelivered older one without losing
 * anything; the staleness markers of series that expired stay queued until a push carrying them is
 * delivered. A push that meets 5xx, 429 or no answer is retried with exponential backoff; one that
 * meets another 4xx is dropped, counted and logged with the receiver's message, since sending it
 * again would meet the same answer.
 */
final class Sender implements Runnable {
  private static final Logger LOG = Logger.getLogger("io.pidless.aggregator");
  private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  /** Expired series kept for their staleness markers while the endpoint is down; beyond, the oldest go. */
  private static final int MAX_EXPIRED = 100_000;

  /** A request body ready to send; {@code staleUpTo}: the last expired series whose markers it carries. */
  private record Push(byte[] body, int samples, long staleUpTo) {}

  private record Expired(long seq, SeriesSnapshot series) {}

  private final RemoteWriteClient client;
  private final RemoteWriteStats stats;
  private final WriteRequestEncoder encoder;
  private final Clock clock;
  private final Duration requestTimeout;
  private final Duration maxBackoff;
  private final Object lock = new Object();
  private final ArrayDeque<Expired> expired = new ArrayDeque<>();
  private long expiredSeq;
  private Push pending;
  private long retryAtNanos;
  private Duration backoff = MIN_BACKOFF;
  private int failedInARow;
  /** Whether the last push settled was refused with a 4xx rather than delivered. */
  private boolean lastRejected;
  /** Set by {@link #finish}: deliver what is pending until then, then stop. */
  private long deadlineNanos;
  private boolean finishing;

  Sender(RemoteWriteClient client, RemoteWriteStats stats, WriteRequestEncoder encoder, Clock clock, Duration interval) {
    this.client = client;
    this.stats = stats;
    this.encoder = encoder;
    this.clock = clock;
    this.requestTimeout = clamp(interval, Duration.ofSeconds(5), Duration.ofSeconds(30));
    this.maxBackoff = clamp(interval, MIN_BACKOFF, Duration.ofSeconds(5));
  }

  RemoteWriteStats stats() {
    return stats;
  }

  /** Remembers an expired series, so the next push ends it on the receiver with staleness markers. */
  void expired(SeriesSnapshot s) {
    synchronized (lock) {
      expired.addLast(new Expired(++expiredSeq, s));
      if (expired.size() > MAX_EXPIRED) {
        expired.removeFirst();
      }
    }
  }

  /**
   * Makes {@code samples} (the encoded {@code snapshot} at {@code ts}) plus the staleness markers not
   * yet delivered the push to deliver next, replacing any older one; nothing when there is no sample
   * at all.
   */
  void offer(WriteRequestEncoder.Body samples, List<SeriesSnapshot> snapshot, long ts) {
    List<SeriesSnapshot> stale;
    long staleUpTo;
    synchronized (lock) {
      stale = new ArrayList<>(expired.size());
      expired.forEach(e -> stale.add(e.series()));
      staleUpTo = expiredSeq;
    }
    byte[] raw = samples.bytes();
    int count = samples.samples();
    if (!stale.isEmpty()) {
      Set<SeriesKey> back = new HashSet<>();
      snapshot.forEach(s -> back.add(s.key()));
      WriteRequestEncoder.Body markers = encoder.staleMarkers(stale, back, ts);
      raw = concat(raw, markers.bytes());
      count += markers.samples();
    }
    if (count == 0) {
      return;
    }
    setPending(new Push(SnappyBlock.compress(raw), count, staleUpTo));
  }

  /** A push saved by the previous aggregator; delivered unless a newer one replaces it first. */
  void restore(SavedPush saved) {
    synchronized (lock) {
      if (pending == null) {
        setPending(new Push(saved.body(), saved.samples(), 0));
      }
    }
  }

  /** The push not delivered yet, as the state file keeps it; null when everything was delivered. */
  SavedPush undelivered() {
    synchronized (lock) {
      return pending == null ? null : new SavedPush(stats.endpoint(), pending.samples(), pending.body());
    }
  }

  /** True when the last push settled was refused (4xx) rather than delivered. */
  boolean lastRejected() {
    synchronized (lock) {
      return lastRejected;
    }
  }

  /** Delivers what is pending until {@code deadlineNanos} ({@link System#nanoTime}), then ends {@link #run}. */
  void finish(long deadlineNanos) {
    synchronized (lock) {
      this.deadlineNanos = deadlineNanos;
      finishing = true;
      retryAtNanos = Math.min(retryAtNanos, System.nanoTime());
      lock.notifyAll();
    }
  }

  @Override
  public void run() {
    try {
      Push p;
      while ((p = next()) != null) {
        long timeout = requestTimeout.toNanos();
        if (finishing) {
          timeout = Math.min(timeout, deadlineNanos - System.nanoTime());
        }
        settle(p, client.post(p.body(), Duration.ofNanos(Math.max(timeout, 1_000_000))));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for a push that is due; null once finishing and nothing is pending, or the deadline passed. */
  private Push next() throws InterruptedException {
    synchronized (lock) {
      while (true) {
        long now = System.nanoTime();
        if (finishing && (pending == null || now - deadlineNanos >= 0)) {
          return null;
        }
        if (pending != null && now - retryAtNanos >= 0) {
          return pending;
        }
        long until = pending != null ? retryAtNanos : now + Duration.ofSeconds(60).toNanos();
        if (finishing) {
          until = Math.min(until, deadlineNanos);
        }
        long waitNanos = until - now;
        lock.wait(waitNanos / 1_000_000, (int) Math.max(waitNanos % 1_000_000, 1));
      }
    }
  }

  private void settle(Push p, RemoteWriteClient.Answer a) {
    synchronized (lock) {
      if (a.ok()) {
        stats.delivered(p.samples(), p.body().length, clock.millis());
        if (failedInARow > 0) {
          LOG.info("remote write to " + stats.endpoint() + " delivered again after " + failedInARow
              + " failed attempts");
        }
        failedInARow = 0;
        backoff = MIN_BACKOFF;
        lastRejected = false;
        done(p);
      } else if (a.retryable()) {
        Failure f = a.status() == 0 ? Failure.NETWORK : a.status() == 429 ? Failure.THROTTLED : Failure.SERVER_ERROR;
        stats.failed(f);
        if (failedInARow++ == 0) {
          LOG.warning("remote write to " + stats.endpoint() + " failed (" + describe(a) + "); retrying with backoff"
              + " up to " + maxBackoff.toMillis() + " ms; newer pushes replace this one, nothing is lost meanwhile");
        }
        retryAtNanos = System.nanoTime() + backoff.toNanos();
        backoff = min(backoff.multipliedBy(2), maxBackoff);
      } else {
        stats.failed(Failure.REJECTED);
        LOG.warning("remote write to " + stats.endpoint() + " rejected a push of " + p.samples() + " samples ("
            + describe(a) + "); dropped without retry, the next push sends the totals again. Check the"
            + " receiver's limits, the credentials and the --external-label values");
        lastRejected = true;
        done(p);
      }
      lock.notifyAll();
    }
  }

  /** {@code p} is settled: it and the staleness markers it carried are no longer pending. */
  private void done(Push p) {
    while (!expired.isEmpty() && expired.peekFirst().seq() <= p.staleUpTo()) {
      expired.removeFirst();
    }
    if (pending == p) {
      setPending(null);
    }
  }

  private void setPending(Push p) {
    synchronized (lock) {
      pending = p;
      stats.pending(p == null ? 0 : p.samples());
      lock.notifyAll();
    }
  }

  private static String describe(RemoteWriteClient.Answer a) {
    return a.status() == 0 ? a.message() : "HTTP " + a.status() + (a.message().isEmpty() ? "" : ": " + a.message());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
