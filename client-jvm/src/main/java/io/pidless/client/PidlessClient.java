package io.pidless.client;

import io.pidless.protocol.DefaultSocket;
import java.io.Closeable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of one JVM and their delivery to the node's pidless aggregator over its Unix socket.
 * A daemon thread sends deltas every {@link Builder#flushInterval flush interval} (1 s by default),
 * and a shutdown hook sends the rest when the JVM exits. If the aggregator is unreachable, updates
 * keep working and are sent when it comes back; delivery problems are logged, never thrown.
 *
 * <pre>{@code
 * PidlessClient client = PidlessClient.builder().socket(Path.of("/run/pidless/pidless.sock")).build();
 * Counter jobs = Counter.build().name("jobs_total").help("Jobs run.").register(client);
 * jobs.inc();
 * boolean delivered = client.flush(Duration.ofSeconds(5));   // waits for the aggregator's ACK
 * client.close();
 * }</pre>
 */
public final class PidlessClient implements Closeable {
  private final ConcurrentHashMap<String, Metric<?>> metrics = new ConcurrentHashMap<>();
  private final Delivery delivery;
  private final Duration shutdownTimeout;
  private final Thread shutdownHook;

  private PidlessClient(Builder b) {
    this.shutdownTimeout = b.shutdownTimeout;
    this.delivery = new Delivery(b.socket, b.aggregatorUid, b.flushInterval, b.clientName, this::allSeries);
    if (b.shutdownHook) {
      shutdownHook = new Thread(() -> delivery.close(shutdownTimeout), "pidless-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } else {
      shutdownHook = null;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The JVM-wide client the no-argument {@code register()} methods use, created on first use with the
   * socket of {@link #socketFromEnvironment()}.
   */
  public static PidlessClient defaultClient() {
    return DefaultHolder.CLIENT;
  }

  /**
   * The socket of {@code PIDLESS_SOCKET}, else the default the aggregator also picks for this user
   * ({@link DefaultSocket}): {@code /run/pidless/pidless.sock} as root, else
   * {@code $XDG_RUNTIME_DIR/pidless/pidless.sock}, else {@code /tmp/pidless/pidless.sock}.
   */
  public static Path socketFromEnvironment() {
    return DefaultSocket.forThisProcess();
  }

  public Path socket() {
    return delivery.socket();
  }

  /**
   * Sends every update made before this call and waits until the aggregator acknowledged it.
   * Returns false on timeout or when the aggregator cannot be reached; the updates are kept and sent
   * later either way. Never throws because of delivery.
   */
  public boolean flush(Duration timeout) {
    return delivery.flush(timeout);
  }

  /** Flushes (waiting at most the shutdown timeout), then stops sending. */
  @Override
  public void close() {
    delivery.close(shutdownTimeout);
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        Delivery.LOG.log(System.Logger.Level.DEBUG, "pidless: JVM already shutting down; its hook flushes");
      }
    }
  }

  /**
   * Registers {@code metric}, or returns the registered one with the same definition. A metric is
   * keyed by its family name and, for a counter, also by the {@code _total} name it is exposed as,
   * so a gauge {@code jobs_total} clashes with a counter {@code jobs} here as it does in the aggregator.
   */
  @SuppressWarnings("unchecked")
  synchronized <M extends Metric<?>> M register(M metric) {
    Family f = metric.family;
    for (String key : f.exposedNames()) {
      Metric<?> existing = metrics.get(key);
      if (existing != null) {
        if (existing.getClass() == metric.getClass() && existing.family.sameDefinition(f)) {
          return (M) existing;
        }
        throw new IllegalArgumentException("Metric " + f.name + " is already registered as "
            + existing.family + "; cannot register it again as " + f);
      }
    }
    for (String key : f.exposedNames()) {
      metrics.put(key, metric);
    }
    return metric;
  }

  private List<Series> allSeries() {
    List<Series> all = new ArrayList<>();
    for (Metric<?> m : new java.util.LinkedHashSet<>(metrics.values())) {
      all.addAll(m.series());
    }
    return all;
  }

  private static final class DefaultHolder {
    static final PidlessClient CLIENT = builder().build();
  }

  /**
   * Options of a {@link PidlessClient}; each may be set once.
   *
   * <pre>{@code
   * PidlessClient c = PidlessClient.builder().flushInterval(Duration.ofMillis(200)).build();
   * }</pre>
   */
  public static final class Builder {
    private Path socket;
    private AggregatorUid aggregatorUid;
    private Duration flushInterval;
    private Duration shutdownTimeout;
    private String clientName;
    private boolean shutdownHook = true;

    private Builder() {}

    /** The aggregator's socket; default {@link PidlessClient#socketFromEnvironment()}. */
    public Builder socket(Path socket) {
      requireUnset(this.socket, "socket");
      this.socket = socket;
      return this;
    }

    /**
     * Sends only to an aggregator running as {@code uid}, which each connection checks through the
     * kernel (SO_PEERCRED); default {@code PIDLESS_AGGREGATOR_UID}, else any. A mismatch is logged once
     * and nothing is sent; metrics are kept as while the aggregator is down.
     */
    public Builder aggregatorUid(long uid) {
      requireUnset(this.aggregatorUid, "aggregatorUid");
      this.aggregatorUid = AggregatorUid.of(uid);
      return this;
    }

    /** How often the daemon thread sends deltas; default 1 s. */
    public Builder flushInterval(Duration interval) {
      requireUnset(this.flushInterval, "flushInterval");
      requirePositive(interval, "flushInterval");
      this.flushInterval = interval;
      return this;
    }

    /** How long close() and the shutdown hook wait for the last ACK; default 5 s. */
    public Builder shutdownTimeout(Duration timeout) {
      requireUnset(this.shutdownTimeout, "shutdownTimeout");
      requirePositive(timeout, "shutdownTimeout");
      this.shutdownTimeout = timeout;
      return this;
    }

    /** Free text the aggregator logs for this connection; default {@code pidless-jvm/0.1.0}. */
    public Builder clientName(String name) {
      requireUnset(this.clientName, "clientName");
      this.clientName = name;
      return this;
    }

    /** Whether to flush from a JVM shutdown hook; default true. */
    public Builder shutdownHook(boolean enabled) {
      this.shutdownHook = enabled;
      return this;
    }

    public PidlessClient build() {
      if (socket == null) {
        socket = socketFromEnvironment();
      }
      if (aggregatorUid == null) {
        aggregatorUid = AggregatorUid.fromEnvironment(System.getenv());
      }
      if (flushInterval == null) {
        flushInterval = Duration.ofSeconds(1);
      }
      if (shutdownTimeout == null) {
        shutdownTimeout = Duration.ofSeconds(5);
      }
      if (clientName == null) {
        clientName = "pidless-jvm/0.1.0";
      }
      return new PidlessClient(this);
    }

    private static void requireUnset(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " was already set to " + current);
      }
    }

    private static void requirePositive(Duration d, String option) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(option + " must be positive, got " + d);
      }
    }
  }
}
