package io.pidless.aggregator.remotewrite;

import io.pidless.aggregator.state.PushBacklog;
import io.pidless.aggregator.state.SavedPush;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pushes the merged series to every {@code --remote-write-url} each {@code --remote-write-interval},
 * for nodes nobody scrapes in time (autoscaled or per-job clusters): one thread takes the store's
 * snapshot and encodes it once, one {@link Sender} per endpoint delivers it. At a graceful stop,
 * {@link #stop} makes a final push after the socket has drained; what it cannot deliver in time the
 * state file keeps ({@link PushBacklog}) and the next start sends.
 *
 * <pre>{@code
 * RemoteWriter rw = RemoteWriter.create(config.remoteWrite(), Clock.systemUTC());
 * rw.start(store);
 * ...
 * rw.stop(Duration.ofSeconds(5));
 * }</pre>
 */
public final class RemoteWriter implements PushBacklog {
  private static final Logger LOG = Logger.getLogger("io.pidless.aggregator");
  /** HotSpot's, for the debug line that says what a push cost to build (bench/ingest reads it). */
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  private final RemoteWriteConfig config;
  private final Clock clock;
  private final WriteRequestEncoder encoder;
  private final Map<String, Sender> senders = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  /** Serializes pushes; not {@code this}, which {@link #stop} holds while it waits for a tick to end. */
  private final Object tickLock = new Object();
  private ScheduledExecutorService ticker;
  private SeriesStore store;
  private long lastTimestamp;

  private RemoteWriter(RemoteWriteConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.encoder = new WriteRequestEncoder(config.externalLabels());
    for (URI url : config.urls()) {
      RemoteWriteClient client = new RemoteWriteClient(url, config.username(), config.passwordFile(),
          config.bearerTokenFile());
      String endpoint = endpoint(url);
      senders.put(endpoint, new Sender(client, new RemoteWriteStats(endpoint), encoder, clock, config.interval()));
    }
  }

  /**
   * Nothing is sent until {@link #start}, so the store can tell this writer about expired series from
   * its first moment, and a restored push is in place before the first new one.
   */
  public static RemoteWriter create(RemoteWriteConfig config, Clock clock) {
    return new RemoteWriter(config, clock);
  }

  /** Starts the senders and the periodic push of {@code store}; does nothing without a URL. */
  public synchronized void start(SeriesStore store) {
    if (senders.isEmpty()) {
      return;
    }
    this.store = store;
    senders.forEach((endpoint, sender) -> {
      Thread t = new Thread(sender, "pidless-remote-write " + endpoint);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    });
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pidless-remote-write-tick");
      t.setDaemon(true);
      return t;
    });
    long period = config.interval().toMillis();
    ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    LOG.info("remote write to " + String.join(", ", senders.keySet()) + " every " + period + " ms"
        + (config.externalLabels().isEmpty() ? "" : " with labels " + config.externalLabels()));
  }

  /** Tells every endpoint that {@code s} expired, so its next push ends the series at once. */
  public void expired(SeriesSnapshot s) {
    for (Sender sender : senders.values()) {
      sender.expired(s);
    }
  }

  public List<RemoteWriteStats> stats() {
    return senders.values().stream().map(Sender::stats).toList();
  }

  /**
   * The final push: the store as it is now, delivered within {@code timeout}. Call it once ingest has
   * stopped. True when every endpoint got it (or there is none).
   */
  public synchronized boolean stop(Duration timeout) throws InterruptedException {
    if (ticker == null) {
      return true;
    }
    ticker.shutdown();
    ticker.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + timeout.toNanos();
    tick();
    for (Sender s : senders.values()) {
      s.finish(deadline);
    }
    for (Thread t : threads) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1000));
    }
    List<SavedPush> left = undelivered();
    List<String> rejected = new ArrayList<>();
    senders.forEach((endpoint, s) -> {
      if (s.lastRejected()) {
        rejected.add(endpoint);
      }
    });
    if (!rejected.isEmpty()) {
      LOG.warning("final remote write push rejected by " + rejected + " (the receiver's message is logged above)");
    }
    if (left.isEmpty() && rejected.size() < senders.size()) {
      LOG.info("final remote write push delivered to " + String.join(", ", senders.keySet().stream()
          .filter(e -> !rejected.contains(e)).toList()));
    }
    if (!left.isEmpty()) {
      LOG.warning("final remote write push not delivered within --shutdown-timeout "
          + timeout.toMillis() + " ms to " + left.stream().map(SavedPush::url).toList()
          + "; the state file keeps it for the next start");
    }
    return left.isEmpty();
  }

  @Override
  public List<SavedPush> undelivered() {
    List<SavedPush> out = new ArrayList<>();
    for (Sender s : senders.values()) {
      SavedPush p = s.undelivered();
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public void restore(List<SavedPush> pushes) {
    for (SavedPush p : pushes) {
      Sender s = senders.get(p.url());
      if (s == null) {
        LOG.warning("the state file holds an undelivered remote write push of " + p.samples() + " samples for "
            + p.url() + ", which is no --remote-write-url now; dropped (add the URL back to deliver it)");
      } else {
        s.restore(p);
      }
    }
  }

  private void tick() {
    synchronized (tickLock) {
      push();
    }
  }

  private void push() {
    try {
      long cpu = THREADS.getCurrentThreadCpuTime();
      long allocated = THREADS.getCurrentThreadAllocatedBytes();
      long ts = Math.max(clock.millis(), lastTimestamp + 1);
      lastTimestamp = ts;
      List<SeriesSnapshot> snapshot = store.snapshot();
      WriteRequestEncoder.Body body = encoder.samples(snapshot, ts);
      for (Sender s : senders.values()) {
        s.offer(body, snapshot, ts);
      }
      LOG.fine(() -> "remote write push built: " + snapshot.size() + " series, " + body.samples() + " samples, "
          + body.bytes().length + " bytes before snappy, " + (THREADS.getCurrentThreadCpuTime() - cpu) / 1000
          + " us CPU, " + (THREADS.getCurrentThreadAllocatedBytes() - allocated) + " bytes allocated");
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "remote write push could not be built: " + e + "; retrying at the next interval", e);
    }
  }

  /** The URL without user info, query or fragment: what logs and self-metrics may show. */
  static String endpoint(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath());
  }
}
