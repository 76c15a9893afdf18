package io.pidless.aggregator.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pidless.aggregator.remotewrite.RemoteWriteStats;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP endpoint: {@code /metrics} (and {@code /}) and the probe path {@code /-/healthy}, on
 * Netty rather than the JDK's {@code com.sun.net.httpserver}, which reads each request's headers on
 * a pool thread: ten clients sending one header line every two seconds held every thread and no
 * scrape got through. Here a slow or idle client holds no thread, only a timer ({@link HttpDeadline}),
 * and the costly part, rendering a scrape, runs on a bounded {@link ScrapeQueue}, so memory per scrape
 * is bounded however many scrapers there are. Owns its own simpleclient registry, so nothing else in
 * the JVM leaks in. Plain NIO, not epoll: nothing here needs the native transport, and a start where
 * it cannot load should fail on the socket, whose message says what to do.
 *
 * <pre>{@code
 * try (MetricsServer http = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), settings, store, stats,
 *     sessions, ids)) {
 *   int port = http.port();
 * }
 * }</pre>
 */
public final class MetricsServer implements Closeable {
  /** Connections waiting to be accepted: the kernel's usual somaxconn, not the JDK server's 3 we had. */
  static final int BACKLOG = 1024;
  /** Bytes of one response chunk ({@link ScrapeResponses#IN_FLIGHT_CHUNKS} of them may wait for a connection). */
  static final int CHUNK_BYTES = 256 * 1024;

  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ScrapeQueue<ScrapeResponses> queue;
  private final CollectorRegistry registry;

  /** What the endpoint is told by flags, and what it shows of them. */
  public record Settings(int maxSeries, int maxConnections, boolean jvmMetrics, Duration timeout, int maxScrapes) {}

  private MetricsServer(EventLoopGroup group, Channel serverChannel, ScrapeQueue<ScrapeResponses> queue,
      CollectorRegistry registry) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.queue = queue;
    this.registry = registry;
  }

  /** Adds {@code pidless_remote_write_*} for these endpoints to the self-metrics every scrape renders. */
  public void reportRemoteWrite(List<RemoteWriteStats> endpoints) {
    new RemoteWriteCollector(endpoints).register(registry);
  }

  public static MetricsServer start(InetSocketAddress address, Settings settings, SeriesStore store,
      AggregatorStats stats, SessionRegistry sessions, Budget ids) throws IOException {
    CollectorRegistry registry = new CollectorRegistry();
    ScrapeTimer timer = new ScrapeTimer();
    HttpStats httpStats = new HttpStats();
    new SelfMetricsCollector(stats, httpStats, store, sessions, ids, timer, settings).register(registry);
    if (settings.jvmMetrics()) {
      DefaultExports.register(registry);
    }
    ScrapeRenderer renderer = new ScrapeRenderer(store, registry, timer);
    ScrapeQueue<ScrapeResponses> queue = new ScrapeQueue<>(settings.maxScrapes(), settings.timeout(), httpStats);
    long timeoutNanos = settings.timeout().toNanos();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pidless-http", true),
        NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, BACKLOG)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(CHUNK_BYTES, 2 * CHUNK_BYTES))
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline()
                  .addLast("http", new HttpServerCodec())
                  .addLast("deadline", new HttpDeadline(timeoutNanos, httpStats))
                  .addLast("routes", new HttpRoutes(renderer, queue, httpStats, timeoutNanos));
            }
          })
          .bind(address).syncUninterruptibly().channel();
      return new MetricsServer(group, channel, queue, registry);
    } catch (Exception e) {   // bind() rethrows the socket's IOException unchecked
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      queue.close();
      throw e instanceof IOException io ? io : new IOException(e.toString(), e);
    }
  }

  /** The bound port; differs from the requested one when that was 0. */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    queue.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
