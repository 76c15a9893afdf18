package io.pidless.aggregator.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers one HTTP connection's requests, one at a time (it stops reading while one is served, so
 * pipelined requests wait): {@code GET /metrics} and {@code GET /} through the {@link ScrapeQueue},
 * {@code GET /-/healthy} at once, {@code HEAD} of each with headers only, 405 for other methods, 404
 * for other paths, 400 for what the decoder could not read. A scrape's body goes out in
 * {@value MetricsServer#CHUNK_BYTES}-byte chunks as it is rendered and the client takes them
 * ({@link ScrapeResponses}), never as one buffer (one buffer larger than the direct memory cap hung
 * the JDK server).
 */
final class HttpRoutes extends SimpleChannelInboundHandler<HttpObject> {
  private static final Logger LOG = Logger.getLogger(HttpRoutes.class.getName());
  private static final String HEALTHY = "Exporter is Healthy.";

  private final ScrapeRenderer renderer;
  private final ScrapeQueue<ScrapeResponses> queue;
  private final HttpStats stats;
  private final long timeoutNanos;

  HttpRoutes(ScrapeRenderer renderer, ScrapeQueue<ScrapeResponses> queue, HttpStats stats, long timeoutNanos) {
    this.renderer = renderer;
    this.queue = queue;
    this.stats = stats;
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (!(msg instanceof HttpRequest req)) {
      return;   // a request body: GET and HEAD have none, and any other method is refused and closed
    }
    if (req.decoderResult().isFailure()) {
      stats.count(HttpStats.Reason.BAD_REQUEST);
      HttpResponseStatus status = req.decoderResult().cause() instanceof TooLongFrameException
          ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
      send(ctx.channel(), text(status, "cannot read this request: " + req.decoderResult().cause().getMessage()),
          false);
      return;
    }
    String path = req.uri();
    int q = path.indexOf('?');
    String query = q < 0 ? null : path.substring(q + 1);
    path = q < 0 ? path : path.substring(0, q);
    boolean metrics = path.equals("/metrics") || path.equals("/");
    if (!metrics && !path.equals("/-/healthy")) {
      send(ctx.channel(), text(HttpResponseStatus.NOT_FOUND, "no such path: " + path
          + "; metrics are at /metrics, the probe at /-/healthy"), keepAlive(req));
      return;
    }
    boolean head = req.method().equals(HttpMethod.HEAD);
    if (!head && !req.method().equals(HttpMethod.GET)) {
      stats.count(HttpStats.Reason.METHOD_NOT_ALLOWED);
      FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " is not allowed on "
          + path + "; use GET or HEAD");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      send(ctx.channel(), r, false);
      return;
    }
    if (!metrics || head) {
      FullHttpResponse r = text(HttpResponseStatus.OK, metrics ? "" : HEALTHY);
      if (head) {
        r.content().clear();
      }
      send(ctx.channel(), r, keepAlive(req));
      return;
    }
    ctx.channel().config().setAutoRead(false);
    queue.submit(new Scrape(ctx.channel(), req.headers().get(HttpHeaderNames.ACCEPT), query,
        acceptsGzip(req.headers().get(HttpHeaderNames.ACCEPT_ENCODING)), keepAlive(req),
        !req.protocolVersion().equals(HttpVersion.HTTP_1_0)));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.FINE, "HTTP connection from " + ctx.channel().remoteAddress() + " closed: " + cause);
    ctx.close();
  }

  /** What makes two scrapes' bodies the same. */
  private record Key(String accept, String query, boolean gzip) {}

  /** One {@code GET /metrics}, answered on a queue thread. */
  private final class Scrape implements ScrapeQueue.Scrape<ScrapeResponses> {
    private final Channel channel;
    private final Key key;
    private final boolean keepAlive;
    private final boolean http11;

    Scrape(Channel channel, String accept, String query, boolean gzip, boolean keepAlive, boolean http11) {
      this.channel = channel;
      this.key = new Key(accept, query, gzip);
      this.keepAlive = keepAlive;
      this.http11 = http11;
    }

    @Override
    public Object key() {
      return key;
    }

    @Override
    public ScrapeResponses render() throws java.io.IOException {
      return new ScrapeResponses(renderer.render(key.accept(), key.query(), key.gzip()), timeoutNanos, stats);
    }

    @Override
    public Runnable send(ScrapeResponses responses) {
      responses.add(channel, keepAlive, http11);
      return responses::send;
    }

    @Override
    public void fail(Exception e) {
      LOG.log(Level.WARNING, "cannot render /metrics; please report this with the stack trace", e);
      HttpRoutes.send(channel, text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot render /metrics: " + e), false);
    }

    @Override
    public void refuse(HttpStats.Reason reason) {
      FullHttpResponse r = text(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many scrapes at once ("
          + reason.label() + "): at most --max-concurrent-scrapes render at a time; try again later");
      r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      HttpRoutes.send(channel, r, keepAlive);
    }
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(body.isEmpty() ? "" : body + "\n", StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    return r;
  }

  private static ChannelFuture send(Channel channel, FullHttpResponse r, boolean keepAlive) {
    if (!keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return channel.writeAndFlush(r).addListener(done(keepAlive));
  }

  /** After a response: read the next request, or close. */
  static ChannelFutureListener done(boolean keepAlive) {
    return f -> {
      if (keepAlive && f.isSuccess()) {
        f.channel().config().setAutoRead(true);
      } else {
        f.channel().close();
      }
    };
  }

  /** Keep-alive, unless the request says otherwise or has a body we will not read. */
  private static boolean keepAlive(HttpRequest req) {
    return HttpUtil.isKeepAlive(req) && HttpUtil.getContentLength(req, 0L) == 0
        && !HttpUtil.isTransferEncodingChunked(req);
  }

  private static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.split(",")) {
      if (coding.trim().startsWith("gzip")) {
        return true;
      }
    }
    return false;
  }
}
