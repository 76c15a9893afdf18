package io.pidless.aggregator.protocol;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pidless.aggregator.config.AggregatorConfig;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Unix socket listener: Netty epoll, one {@link ConnectionHandler} per connection behind a
 * {@link FrameDecoder}, guarded by a {@link ConnectionGuard}. A connection's frames stop being read
 * while more than half of {@code --max-unread-bytes} of its answers wait unread (Netty's writability:
 * a client that never read its ACKs once grew the heap to 207 of 256 MB); the guard closes it past
 * the whole budget. {@link #close()} is the graceful stop SIGTERM asks for: stop accepting, let
 * frames already sent arrive and be applied and acknowledged, then close every connection.
 *
 * <pre>{@code
 * try (IngestServer server = IngestServer.start(config, store, sessions, ids, stats)) { ... }
 * }</pre>
 */
public final class IngestServer implements Closeable {
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup connections = new DefaultChannelGroup("pidless-connections", GlobalEventExecutor.INSTANCE);
  private final Path path;
  private final Duration shutdownTimeout;

  private IngestServer(AggregatorConfig config, SeriesStore store, SessionRegistry sessions, Budget ids,
      AggregatorStats stats) throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IOException("Netty's native epoll transport cannot load (" + Epoll.unavailabilityCause()
          + "). Netty unpacks it into java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + "), which must be"
          + " writable and not mounted noexec: point -Djava.io.tmpdir or -Dio.netty.native.workdir elsewhere."
          + " pidless needs Linux x86_64 with glibc");
    }
    this.path = config.socket();
    this.shutdownTimeout = config.shutdownTimeout();
    IngestContext context = new IngestContext(store, sessions, stats, config.limits(), config.budgets(), ids,
        config.maxConnections(), new UidConnections(config.maxConnectionsPerUid()), config.frameTimeout().toNanos(),
        config.idleTimeout().toNanos(), new SecureRandom().nextLong(), new AtomicLong());
    int readingStops = Math.max(1, config.budgets().maxUnreadBytes() / 2);
    Path bindPath = SocketFile.prepare(path);
    Files.deleteIfExists(bindPath);
    group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("pidless-io", true),
        EpollIoHandler.newFactory());
    try {
      serverChannel = new ServerBootstrap()
          .group(group)
          .channel(EpollServerDomainSocketChannel.class)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, 
              new WriteBufferWaterMark(readingStops / 2, readingStops))
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              connections.add(ch);
              FrameDecoder frames = new FrameDecoder(config.limits().maxFrameBytes());
              ConnectionHandler connection = new ConnectionHandler(context);
              ch.pipeline().addLast("frames", frames).addLast("session", connection)
                  .addLast("guard", new ConnectionGuard(context, frames, connection));
            }
          })
          .bind(new DomainSocketAddress(bindPath.toString())).syncUninterruptibly().channel();
      SocketFile.publish(bindPath, path, config.socketMode());
    } catch (RuntimeException | IOException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      Files.deleteIfExists(bindPath);
      throw e;
    }
  }

  public static IngestServer start(AggregatorConfig config, SeriesStore store, SessionRegistry sessions, Budget ids,
      AggregatorStats stats) throws IOException {
    return new IngestServer(config, store, sessions, ids, stats);
  }

  @Override
  public void close() throws IOException {
    serverChannel.close().syncUninterruptibly();
    Files.deleteIfExists(path);
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    while (System.nanoTime() < deadline && !allQuiet()) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Channel ch : connections) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    connections.newCloseFuture().awaitUninterruptibly(shutdownTimeout.toMillis());
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private boolean allQuiet() {
    long now = System.nanoTime();
    for (Channel ch : connections) {
      ConnectionHandler h = ch.pipeline().get(ConnectionHandler.class);
      if (h != null && now - h.lastReadNanos() < QUIET_NANOS) {
        return false;
      }
    }
    return true;
  }
}
