package io.pidless.aggregator.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One rendered {@link ScrapeRenderer.Body} sent to every connection that asked for it, chunk by chunk
 * while it is written: the first bytes leave while the rest is rendered, and a chunk is passed on
 * only while each connection has at most {@value #IN_FLIGHT_CHUNKS} not yet taken, so a scrape holds
 * at most a few chunks however large its body or slow its clients. A connection that made it wait
 * {@code --http-timeout} in all is cut and counted ({@code response_timeout}) and the body goes on to
 * the others: only the waiting is the client's, not the rendering (which took seconds, gzipped, on a
 * loaded machine; {@link HttpDeadline} used to time a body rendered beforehand). The length is not
 * known before the last chunk, so the response is chunked (HTTP/1.1) or ended by closing the
 * connection (HTTP/1.0).
 *
 * <pre>{@code
 * ScrapeResponses responses = new ScrapeResponses(renderer.render(accept, query, gzip), timeoutNanos, stats);
 * responses.add(channel, true, true);   // once per scrape answered with this body
 * responses.send();                     // renders, sends, returns once every response is written or cut
 * }</pre>
 */
final class ScrapeResponses {
  private static final Logger LOG = Logger.getLogger(ScrapeResponses.class.getName());

  /**
   * Chunks a connection may have queued before the next is rendered: 1 MiB. With one 64 KiB chunk
   * (the one before the last), the scrape thread blocked and was woken by the network thread at
   * nearly every chunk, and a scrape of 100,000 series took longer than rendering it all first.
   */
  static final int IN_FLIGHT_CHUNKS = 4;

  private final ScrapeRenderer.Body body;
  private final long timeoutNanos;
  private final HttpStats stats;
  private final List<Recipient> recipients = new ArrayList<>();
  private long waitedNanos;
  private boolean sent;

  /** One connection: its writes not yet known to be taken, oldest first, and its last. */
  private static final class Recipient {
    final Channel channel;
    final boolean keepAlive;
    final boolean chunked;
    final ArrayDeque<ChannelFuture> pending = new ArrayDeque<>();
    ChannelFuture last;
    /** How long the scrape thread has waited for this connection's writes. */
    long waitedNanos;

    Recipient(Channel channel, boolean keepAlive, boolean chunked) {
      this.channel = channel;
      this.keepAlive = keepAlive;
      this.chunked = chunked;
    }

    void write(Object message) {
      last = channel.writeAndFlush(message);
      pending.add(last);
    }
  }

  ScrapeResponses(ScrapeRenderer.Body body, long timeoutNanos, HttpStats stats) {
    this.body = body;
    this.timeoutNanos = timeoutNanos;
    this.stats = stats;
  }

  /** Answers {@code channel}'s scrape with this body; {@code chunked}: the request was HTTP/1.1. */
  void add(Channel channel, boolean keepAlive, boolean chunked) {
    recipients.add(new Recipient(channel, keepAlive && chunked, chunked));
  }

  /**
   * Renders the body and sends it to every connection added; returns once each response is written
   * or failed. Later calls return at once: each scrape of a body calls this, the first one sends.
   */
  void send() {
    if (sent) {
      return;
    }
    sent = true;
    for (Recipient r : recipients) {
      r.write(headers(r));
    }
    try {
      body.writeTo(this::chunk, () -> waitedNanos);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cannot render /metrics; please report this with the stack trace", e);
      recipients.forEach(r -> r.channel.close());
      return;
    }
    for (Recipient r : recipients) {
      r.write(LastHttpContent.EMPTY_LAST_CONTENT);
      r.last.addListener(HttpRoutes.done(r.keepAlive));
    }
    for (Recipient r : recipients) {
      taken(r, r.last);
    }
  }

  /**
   * Waits until {@code r} has taken {@code write}, within what is left of its timeout; false, with
   * the connection closed, when it did not or is gone.
   */
  private boolean taken(Recipient r, ChannelFuture write) {
    long start = System.nanoTime();
    boolean done = write.awaitUninterruptibly(Math.max(0, timeoutNanos - r.waitedNanos), TimeUnit.NANOSECONDS);
    long waited = System.nanoTime() - start;
    r.waitedNanos += waited;
    waitedNanos += waited;
    if (!done) {
      stats.count(HttpStats.Reason.RESPONSE_TIMEOUT);
    }
    if (!done || !write.isSuccess()) {
      r.channel.close();
      return false;
    }
    return true;
  }

  private HttpResponse headers(Recipient r) {
    HttpResponse h = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    h.headers().set(HttpHeaderNames.CONTENT_TYPE, body.contentType());
    if (body.gzip()) {
      h.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
    }
    if (r.chunked) {
      h.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else {
      h.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return h;
  }

  /** One full chunk of the body, to every connection still taking it; then waits for the one before. */
  private void chunk(byte[] bytes, int n) {
    if (recipients.isEmpty()) {
      return;
    }
    ByteBuf chunk = recipients.get(0).channel.alloc().buffer(n).writeBytes(bytes, 0, n);
    try {
      for (Recipient r : recipients) {
        r.write(new DefaultHttpContent(chunk.retainedDuplicate()));
      }
    } finally {
      chunk.release();
    }
    for (Iterator<Recipient> it = recipients.iterator(); it.hasNext(); ) {
      Recipient r = it.next();
      while (!r.pending.isEmpty() && r.pending.peek().isDone() && r.pending.peek().isSuccess()) {
        r.pending.poll();
      }
      if (r.pending.size() > IN_FLIGHT_CHUNKS && !taken(r, r.pending.poll())) {
        it.remove();   // too slow or gone; the body goes on to the others
      }
    }
  }
}
