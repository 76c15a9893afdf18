package io.pidless.aggregator.http;

import io.pidless.aggregator.remotewrite.RemoteWriteStats;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.store.SeriesStore;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The one scrape endpoint on simpleclient_httpserver: {@code /metrics} (and {@code /}) is served by
 * {@link MetricsHandler}, {@code /-/healthy} by simpleclient. Owns its own registry, so nothing else
 * in the JVM leaks in.
 *
 * <pre>{@code
 * try (MetricsServer http = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), store, stats, sessions, limits, true)) {
 *   int port = http.port();
 * }
 * }</pre>
 */
public final class MetricsServer implements Closeable {
  private final HTTPServer server;
  private final CollectorRegistry registry;

  private MetricsServer(HTTPServer server, CollectorRegistry registry) {
    this.server = server;
    this.registry = registry;
  }

  /** Adds {@code pidless_remote_write_*} for these endpoints to the self-metrics. */
  public void reportRemoteWrite(List<RemoteWriteStats> endpoints) {
    new RemoteWriteCollector(endpoints).register(registry);
  }

  public static MetricsServer start(InetSocketAddress address, SeriesStore store, AggregatorStats stats,
      SessionRegistry sessions, int maxSeries, int maxConnections, boolean jvmMetrics) throws IOException {
    CollectorRegistry registry = new CollectorRegistry();
    ScrapeTimer timer = new ScrapeTimer();
    new SelfMetricsCollector(stats, store, sessions, timer, maxSeries, maxConnections).register(registry);
    if (jvmMetrics) {
      DefaultExports.register(registry);
    }
    HttpServer http = HttpServer.create(address, 3);
    HTTPServer server = new HTTPServer.Builder()
        .withHttpServer(http)
        .withRegistry(registry)
        .withDaemonThreads(true)
        .build();
    MetricsHandler metrics = new MetricsHandler(store, registry, timer);
    for (String path : new String[] {"/", "/metrics"}) {
      http.removeContext(path);
      http.createContext(path, metrics);
    }
    return new MetricsServer(server, registry);
  }

  /** The bound port; differs from the requested one when that was 0. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
