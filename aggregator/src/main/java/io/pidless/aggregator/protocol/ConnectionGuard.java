package io.pidless.aggregator.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.protocol.ErrorCode;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps one connection from starving the others (issue 13): a peer uid (SO_PEERCRED) over
 * {@code --max-connections-per-uid} is refused with {@code CONNECTION_LIMIT}; frames stop being read
 * while answers wait unread beyond the write buffer's high water mark (half of
 * {@code --max-unread-bytes}), and the connection is closed as {@code UNREAD_ANSWERS} once they pass
 * {@code --max-unread-bytes} (what one read's answers can add before reading stops) or once it has
 * been left unread for {@code --frame-timeout}; a frame begun, or the HELLO a new connection owes, that does
 * not arrive whole within {@code --frame-timeout} is {@code FRAME_TIMEOUT}; and a connection that sent
 * no frame for {@code --idle-timeout} and holds no live gauge value is closed without an ERROR
 * (docs/PROTOCOL.md, "Idle close"). Each is counted once: by its ERROR code, or where none says it,
 * in {@code pidless_connections_closed_total}.
 * After the {@link ConnectionHandler} in the pipeline, whose state it reads; on the connection's event
 * loop, checking every quarter of {@code --frame-timeout}.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());

  private final IngestContext context;
  private final FrameDecoder frames;
  private final ConnectionHandler connection;
  private final long openedNanos = System.nanoTime();
  /** Nanotime the connection became unwritable (answers piling up unread); 0 while writable. */
  private long unwritableNanos;
  /** The peer's uid when {@link UidConnections} counted this connection, else -1. */
  private int countedUid = -1;
  private ScheduledFuture<?> timer;

  ConnectionGuard(IngestContext context, FrameDecoder frames, ConnectionHandler connection) {
    this.context = context;
    this.frames = frames;
    this.connection = connection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!connection.closing()) {
      int uid = peerUid(ctx);
      if (uid < 0 || context.perUid().open(uid)) {
        countedUid = uid;
      } else {
        context.stats().closed(AggregatorStats.Closed.UID_CONNECTION_LIMIT);
        connection.violation(ErrorCode.CONNECTION_LIMIT, "uid " + uid + " already holds "
            + context.perUid().limit() + " connections (--max-connections-per-uid); close some, or connect again later");
      }
    }
    long tick = Math.max(context.frameTimeoutNanos() / 4, TimeUnit.MILLISECONDS.toNanos(50));
    timer = ctx.executor().scheduleAtFixedRate(() -> check(ctx), tick, tick, TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  /**
   * Stops reading frames while answers wait unread beyond the high water mark, so a client that
   * never reads cannot make the aggregator buffer answers without bound.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    boolean writable = ctx.channel().isWritable();
    unwritableNanos = writable ? 0 : System.nanoTime();
    ctx.channel().config().setAutoRead(writable);
    ctx.fireChannelWritabilityChanged();
  }

  /** After the answers of a read were flushed: the hard bound on what one connection leaves unread. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ChannelOutboundBuffer unread = ctx.channel().unsafe().outboundBuffer();
    if (unread != null && unread.totalPendingWriteBytes() > context.budgets().maxUnreadBytes()
        && !connection.closing()) {
      unreadAnswers(unread.totalPendingWriteBytes() + " bytes of answers wait unread, more than --max-unread-bytes "
          + context.budgets().maxUnreadBytes());
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    if (countedUid >= 0) {
      context.perUid().close(countedUid);
    }
    ctx.fireChannelInactive();
  }

  private void check(ChannelHandlerContext ctx) {
    if (connection.closing() || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    long frameTimeout = context.frameTimeoutNanos();
    long begun = frames.begunNanos();
    if (unwritableNanos != 0 && now - unwritableNanos >= frameTimeout) {
      unreadAnswers("the client read none of its answers for --frame-timeout after its frames stopped being read");
    } else if (unwritableNanos == 0 && begun != 0 && now - begun >= frameTimeout) {
      connection.violation(ErrorCode.FRAME_TIMEOUT, "a frame begun did not arrive whole within --frame-timeout;"
          + " write each frame at once");
    } else if (!connection.helloed() && now - openedNanos >= frameTimeout) {
      connection.violation(ErrorCode.FRAME_TIMEOUT, "no HELLO within --frame-timeout of connecting; say HELLO first");
    } else if (!connection.holdsLive() && begun == 0 && now - connection.lastReadNanos() >= context.idleTimeoutNanos()) {
      context.stats().closed(AggregatorStats.Closed.IDLE_TIMEOUT);
      connection.quietClose("no frame for --idle-timeout; the client reconnects when it next sends");
    }
  }

  /**
   * Closes a connection whose answers wait unread, counted as {@code UNREAD_ANSWERS}. No ERROR frame:
   * it would queue behind the answers the client does not read, and the close would wait for it.
   */
  private void unreadAnswers(String why) {
    context.stats().error(ErrorCode.UNREAD_ANSWERS);
    connection.quietClose(why + "; the client must read its ACKs");
  }

  /** The peer's uid by SO_PEERCRED, or -1 when the kernel does not tell (then it is not limited per uid). */
  private static int peerUid(ChannelHandlerContext ctx) {
    try {
      return ctx.channel() instanceof EpollDomainSocketChannel ch ? ch.peerCredentials().uid() : -1;
    } catch (IOException e) {
      LOG.log(Level.FINE, "{0}: no peer credentials ({1}); not limited per uid", new Object[] {ctx.channel(), e});
      return -1;
    }
  }
}
