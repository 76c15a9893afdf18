package io.pidless.aggregator;

import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.pidless.aggregator.config.AggregatorConfig;
import io.pidless.aggregator.config.CommandLine;
import io.pidless.aggregator.config.DurationParser;
import io.pidless.aggregator.config.StrictModes;
import io.pidless.aggregator.config.UsageException;
import io.pidless.aggregator.http.MetricsServer;
import io.pidless.aggregator.protocol.IngestServer;
import io.pidless.aggregator.protocol.SocketDirectory;
import io.pidless.aggregator.remotewrite.RemoteWriter;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.state.StateFile;
import io.pidless.aggregator.state.StateReader;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Wires the aggregator together and runs it until SIGTERM or SIGINT, then stops it gracefully and
 * exits 0. Exit 2: bad flags; exit 1: could not start (the message says why and what to do), such as
 * a socket directory or state file another user could have prepared ({@link StrictModes}).
 */
public final class Main {
  private static final Logger LOG = Logger.getLogger("io.pidless.aggregator");

  private Main() {}

  public static void main(String[] args) {
    if (CommandLine.wantsHelp(args)) {
      System.out.print(CommandLine.usage());
      return;
    }
    AggregatorConfig config;
    try {
      config = CommandLine.parse(args, System.getenv());
    } catch (UsageException e) {
      System.err.println("pidless-aggregator: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logging.configure(System.getenv("PIDLESS_LOG_LEVEL"));
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    boolean saved = true;
    try (Aggregator aggregator = Aggregator.start(config)) {
      LOG.info("pidless aggregator " + Aggregator.VERSION + " listening on unix:" + config.socket()
          + ", metrics at " + aggregator.metricsUrl() + " (ttl " + DurationParser.format(config.ttl())
          + ", max " + config.limits().maxSeries() + " series, state "
          + (config.stateFile() == null ? "not kept" : "kept in " + config.stateFile()) + ")");
      stop.await();
      LOG.info("stopping: no new connections; applying frames in flight, then closing");
      saved = aggregator.stop();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "pidless aggregator cannot start: " + e.getMessage());
      LOG.log(Level.FINE, "cause", e);
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("stopped");
    System.exit(saved ? 0 : 1);
  }

  /** The running daemon: store, sessions, Unix socket listener and HTTP endpoint. */
  public static final class Aggregator implements AutoCloseable {
    public static final String VERSION = "0.1.0";

    private final IngestServer ingest;
    private final MetricsServer http;
    private final InetSocketAddress listen;
    private final StateFile state;
    private final RemoteWriter remoteWrite;
    private final AggregatorConfig config;
    private boolean stopped;

    private Aggregator(IngestServer ingest, MetricsServer http, StateFile state, RemoteWriter remoteWrite,
        AggregatorConfig config) {
      this.ingest = ingest;
      this.http = http;
      this.listen = config.listen();
      this.state = state;
      this.remoteWrite = remoteWrite;
      this.config = config;
    }

    public static Aggregator start(AggregatorConfig config) throws IOException {
      AggregatorStats stats = new AggregatorStats();
      RemoteWriter remoteWrite = RemoteWriter.create(config.remoteWrite(), Clock.systemUTC());
      StrictModes strict = StrictModes.forThisProcess();
      SocketDirectory.prepare(config.socket(), config.socketMode(), strict);
      if (config.stateFile() != null) {
        strict.checkFile(config.stateFile(), "state file", "pass --state-file off to start without it");
      }
      SeriesStore store = SeriesStore.builder()
          .expectedSeries(config.stateFile() == null ? 0
              : Math.min(StateReader.seriesCount(config.stateFile()), config.limits().maxSeries()))
          .ttl(config.ttl())
          .limits(config.limits())
          .textBytes(new Budget(config.budgets().maxSeriesBytes()))
          .scheduler(Scheduler.systemScheduler())
          .stats(stats)
          .expiryListener(s -> {
            LOG.fine(() -> "series " + s.key() + " expired after " + DurationParser.format(config.ttl())
                + " without writes");
            remoteWrite.expired(s);
          })
          .build();
      SessionRegistry sessions = new SessionRegistry(config.sessionTtl(), config.budgets().maxSessions(),
          Ticker.systemTicker());
      Budget ids = new Budget(config.budgets().maxIds());
      StateFile state = config.stateFile() == null ? null
          : new StateFile(config.stateFile(), store, sessions, stats, Clock.systemUTC(), remoteWrite);
      boolean restored = state != null && state.restore() != null;
      MetricsServer http;
      try {
        http = MetricsServer.start(config.listen(), new MetricsServer.Settings(config.limits().maxSeries(),
            config.maxConnections(), config.jvmMetrics(), config.httpTimeout(), config.maxConcurrentScrapes()),
            store, stats, sessions, ids);
      } catch (IOException e) {
        throw new IOException("cannot listen on " + config.listen() + " for /metrics: " + e.getMessage()
            + "; pass --listen HOST:PORT with a free port", e);
      }
      try {
        Aggregator a = new Aggregator(openSocket(config, store, sessions, ids, stats, state, restored), http, state,
            remoteWrite, config);
        if (config.remoteWrite().enabled()) {
          http.reportRemoteWrite(remoteWrite.stats());
          remoteWrite.start(store);
        }
        return a;
      } catch (IOException | RuntimeException e) {
        http.close();
        throw e;
      }
    }

    /**
     * Consumes the restored state file, then opens the socket. If the socket cannot open, no client has
     * changed what was restored, so it is saved back for the next start.
     */
    private static IngestServer openSocket(AggregatorConfig config, SeriesStore store, SessionRegistry sessions,
        Budget ids, AggregatorStats stats, StateFile state, boolean restored) throws IOException {
      if (restored) {
        state.consume();
      }
      try {
        return IngestServer.start(config, store, sessions, ids, stats);
      } catch (IOException | RuntimeException e) {
        if (restored) {
          state.save();
        }
        throw e;
      }
    }

    /** The port /metrics is served on. */
    public int metricsPort() {
      return http.port();
    }

    public String metricsUrl() {
      String host = listen.getAddress() == null || listen.getAddress().isAnyLocalAddress()
          ? "0.0.0.0" : listen.getAddress().getHostAddress();
      return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port() + "/metrics";
    }

    /**
     * The graceful stop: drains the socket, makes the final remote_write push (within
     * {@code --shutdown-timeout}), saves the state once nothing more can change it, then closes
     * {@code /metrics}. False when the state could not be saved, or, without a state file, the final
     * push could not be delivered (logged).
     */
    public boolean stop() throws IOException {
      stopped = true;
      ingest.close();
      boolean pushed;
      try {
        pushed = remoteWrite.stop(config.shutdownTimeout());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pushed = false;
      }
      return state == null ? pushed : state.save();
    }

    /** Closes without saving the state, unless {@link #stop} has saved it already. */
    @Override
    public void close() throws IOException {
      try {
        if (!stopped) {
          ingest.close();
        }
      } finally {
        http.close();
      }
    }
  }
}
