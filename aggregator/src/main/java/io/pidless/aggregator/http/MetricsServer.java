package io.pidless.aggregator.http;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesStore;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The one scrape endpoint on simpleclient_httpserver: {@code /metrics} (and {@code /}) is served by
 * {@link MetricsHandler}, {@code /-/healthy} by simpleclient. Owns its own registry, so nothing else
 * in the JVM leaks in.
 *
 * <pre>{@code
 * try (MetricsServer http = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), store, stats, sessions, ids,
 *     100_000, 4096, true)) {
 *   int port = http.port();
 * }
 * }</pre>
 */
public final class MetricsServer implements Closeable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  public static MetricsServer start(InetSocketAddress address, SeriesStore store, AggregatorStats stats,
      SessionRegistry sessions, Budget ids, int maxSeries, int maxConnections, boolean jvmMetrics) throws IOException {
    CollectorRegistry registry = new CollectorRegistry();
    ScrapeTimer timer = new ScrapeTimer();
    new SelfMetricsCollector(stats, store, sessions, ids, timer, maxSeries, maxConnections).register(registry);
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
    return new MetricsServer(server);
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
