package io.pidless.aggregator.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code --http-timeout} of one HTTP connection, in three phases: a new connection must send a
 * whole request (line and headers) within it, a response must be taken by the client within it, and
 * a keep-alive connection may then wait that long for its next request. A scrape's body is rendered
 * while it is sent, so its connection is not timed here but by {@link ScrapeResponses}, which counts
 * only the time it waits for the client, as this counted only the transfer of a body rendered before. Slowloris clients (one header
 * line every few seconds) and clients that stop reading are closed and counted
 * ({@code request_timeout}, {@code response_timeout}); an idle keep-alive connection is closed
 * quietly, as Prometheus simply opens a new one. Between the codec and the handlers, on the
 * connection's event loop.
 */
final class HttpDeadline extends ChannelDuplexHandler {
  private enum Phase { FIRST_REQUEST, SERVING, RESPONDING, STREAMING, NEXT_REQUEST }

  private final long timeoutNanos;
  private final HttpStats stats;
  private Phase phase = Phase.FIRST_REQUEST;
  private ScheduledFuture<?> timer;

  HttpDeadline(long timeoutNanos, HttpStats stats) {
    this.timeoutNanos = timeoutNanos;
    this.stats = stats;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(ctx, Phase.FIRST_REQUEST);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      arm(ctx, Phase.SERVING);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse) {
      arm(ctx, msg instanceof FullHttpResponse ? Phase.RESPONDING : Phase.STREAMING);
    }
    if (msg instanceof LastHttpContent) {
      promise = promise.unvoid();
      promise.addListener(f -> {
        if (f.isSuccess() && ctx.channel().isActive()) {
          arm(ctx, Phase.NEXT_REQUEST);
        }
      });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  /**
   * Enters {@code next}; every phase but serving (waiting in the scrape queue, which bounds it) and
   * streaming (timed by {@link ScrapeResponses}) is timed.
   */
  private void arm(ChannelHandlerContext ctx, Phase next) {
    cancel();
    phase = next;
    if (next != Phase.SERVING && next != Phase.STREAMING) {
      timer = ctx.executor().schedule(() -> expire(ctx, next), timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void expire(ChannelHandlerContext ctx, Phase expired) {
    if (phase != expired) {
      return;
    }
    switch (expired) {
      case FIRST_REQUEST -> stats.count(HttpStats.Reason.REQUEST_TIMEOUT);
      case RESPONDING -> stats.count(HttpStats.Reason.RESPONSE_TIMEOUT);
      default -> { }
    }
    ctx.close();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
