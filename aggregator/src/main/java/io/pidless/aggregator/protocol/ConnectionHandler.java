package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.handler.codec.DecoderException;
import io.pidless.aggregator.session.Session;
import io.pidless.aggregator.session.SessionId;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.store.DefinitionRejectedException;
import io.pidless.aggregator.store.Definition;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.Protocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The protocol state machine of one connection: HELLO, then DEFINEs and BATCHes. Answers are written
 * in frame order and flushed once per read. Runs on the connection's event loop only.
 *
 * <p>It also keeps the connection from starving others: a peer uid over
 * {@code --max-connections-per-uid} is refused; frames stop being read while answers wait unread
 * (writability), and a client that reads none for {@code --frame-timeout} is closed; a frame begun,
 * or a HELLO owed, that does not arrive within {@code --frame-timeout} is a violation; and a connection
 * that sent nothing for {@code --idle-timeout} and holds no live gauge value is closed quietly.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(ConnectionHandler.class.getName());

  private final IngestContext context;
  private final FrameDecoder frames;
  private final long connectionId;
  private final SeriesTable table;
  private final BatchDecoder batches = new BatchDecoder();
  private final List<Definition> newlyRejected = new ArrayList<>();
  private ChannelHandlerContext ctx;
  private Session session;
  private boolean closing;
  private volatile long lastReadNanos = System.nanoTime();
  private final long openedNanos = System.nanoTime();
  /** Nanotime the connection became unwritable (answers piling up unread); 0 while writable. */
  private long unwritableNanos;
  /** True once this connection applied a live gauge value: closing it would remove that value. */
  private boolean holdsLive;
  /** The peer's uid when {@link UidConnections} counted this connection, else -1. */
  private int countedUid = -1;
  private ScheduledFuture<?> timer;
  /** Answers of the current read, written together at its end; null when there are none. */
  private ByteBuf answers;

  ConnectionHandler(IngestContext context, FrameDecoder frames) {
    this.context = context;
    this.frames = frames;
    this.connectionId = context.connectionIds().incrementAndGet();
    this.table = new SeriesTable();
  }

  /** Nanotime of the last bytes read; the server waits for quiet connections at shutdown. */
  long lastReadNanos() {
    return lastReadNanos;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    context.stats().connectionsTotal.increment();
    context.stats().connectionsOpen.increment();
    if (context.openConnections().incrementAndGet() > context.maxConnections()) {
      violation(ErrorCode.CONNECTION_LIMIT, "more than " + context.maxConnections()
          + " connections are open (--max-connections); connect again later");
    } else {
      int uid = peerUid(ctx);
      if (uid < 0 || context.perUid().open(uid)) {
        countedUid = uid;
      } else {
        context.stats().closed(AggregatorStats.Closed.UID_CONNECTION_LIMIT);
        violation(ErrorCode.CONNECTION_LIMIT, "uid " + uid + " already holds " + context.perUid().limit()
            + " connections (--max-connections-per-uid); close some, or connect again later");
      }
    }
    long tick = Math.max(context.frameTimeoutNanos() / 4, TimeUnit.MILLISECONDS.toNanos(50));
    timer = ctx.executor().scheduleAtFixedRate(this::checkTimeouts, tick, tick, TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  /** The peer's uid by SO_PEERCRED, or -1 when the kernel does not tell (then it is not limited per uid). */
  private int peerUid(ChannelHandlerContext ctx) {
    try {
      return ctx.channel() instanceof EpollDomainSocketChannel ch ? ch.peerCredentials().uid() : -1;
    } catch (IOException e) {
      LOG.log(Level.FINE, "connection {0}: no peer credentials ({1}); not limited per uid",
          new Object[] {connectionId, e.toString()});
      return -1;
    }
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

  private void checkTimeouts() {
    if (closing || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    long frameTimeout = context.frameTimeoutNanos();
    long begun = frames.begunNanos();
    if (unwritableNanos != 0 && now - unwritableNanos >= frameTimeout) {
      quietClose(AggregatorStats.Closed.UNREAD_ANSWERS, "the client read none of its answers for --frame-timeout");
    } else if (unwritableNanos == 0 && begun != 0 && now - begun >= frameTimeout) {
      context.stats().closed(AggregatorStats.Closed.FRAME_TIMEOUT);
      violation(ErrorCode.FRAME_TIMEOUT, "a frame begun did not arrive whole within --frame-timeout; "
          + "write each frame at once");
    } else if (session == null && now - openedNanos >= frameTimeout) {
      context.stats().closed(AggregatorStats.Closed.FRAME_TIMEOUT);
      violation(ErrorCode.FRAME_TIMEOUT, "no HELLO within --frame-timeout of connecting; say HELLO first");
    } else if (!holdsLive && begun == 0 && now - lastReadNanos >= context.idleTimeoutNanos()) {
      quietClose(AggregatorStats.Closed.IDLE_TIMEOUT, "no frame for --idle-timeout; the client reconnects when it"
          + " next sends");
    }
  }

  /** Closes without an ERROR: the documented idle close, or a client that would not read one anyway. */
  private void quietClose(AggregatorStats.Closed reason, String why) {
    closing = true;
    context.stats().closed(reason);
    LOG.log(Level.FINE, "connection {0} closed: {1}", new Object[] {connectionId, why});
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    lastReadNanos = System.nanoTime();
    try {
      if (closing) {
        return;
      }
      context.stats().bytesReceived.add(frame.readableBytes() + Protocol.LENGTH_PREFIX_BYTES);
      FrameType type = FrameType.fromCode(frame.readUnsignedByte());
      context.stats().frameReceived(type);
      if (session == null && type != FrameType.HELLO) {
        throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, type + " before HELLO; say HELLO first");
      }
      switch (type) {
        case HELLO -> onHello(frame);
        case DEFINE -> onDefine(frame);
        default -> onBatch(frame);
      }
    } catch (ProtocolException e) {
      violation(e.code(), e.getMessage());
    } catch (IndexOutOfBoundsException e) {
      violation(ErrorCode.MALFORMED_FRAME, "frame is truncated: a field runs past the end of the frame");
    } finally {
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushAnswers();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException p) {
      violation(p.code(), p.getMessage());
    } else if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException p) {
      violation(p.code(), p.getMessage());
    } else if (cause instanceof IOException) {
      LOG.log(Level.FINE, "connection {0}: {1}", new Object[] {connectionId, cause.toString()});
      ctx.close();
    } else {
      LOG.log(Level.WARNING, "connection " + connectionId + " closed after an unexpected error", cause);
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    if (answers != null) {
      answers.release();
      answers = null;
    }
    if (countedUid >= 0) {
      context.perUid().close(countedUid);
    }
    context.openConnections().decrementAndGet();
    context.stats().connectionsOpen.decrement();
    context.store().release(table.definitions(), connectionId);
    if (session != null) {
      context.sessions().detach(session, this);
    }
    ctx.fireChannelInactive();
  }

  /** Called from another connection's thread when it said HELLO with our session. */
  void takenOver() {
    ctx.executor().execute(() -> violation(ErrorCode.SESSION_TAKEN_OVER,
        "session " + session.id() + " was taken over by a newer connection; this one is closed"));
  }

  private void onHello(ByteBuf b) {
    if (session != null) {
      throw new ProtocolException(ErrorCode.BAD_HANDSHAKE, "second HELLO on one connection");
    }
    int version = b.readUnsignedByte();
    if (version != Protocol.VERSION) {
      throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "protocol version " + version
          + " is not supported; this aggregator speaks version " + Protocol.VERSION + " (upgrade one side)");
    }
    SessionId id = new SessionId(b.readLong(), b.readLong());
    String client = Payload.string(b, "client");
    Payload.expectEnd(b, "HELLO");
    SessionRegistry.Attached attached = context.sessions().attach(id, this);
    session = attached.session();
    if (attached.previousOwner() instanceof ConnectionHandler previous) {
      previous.takenOver();
    }
    LOG.log(Level.FINE, "connection {0}: HELLO from {1}, session {2}",
        new Object[] {connectionId, client.length() > 64 ? client.substring(0, 64) : client, id});
    answer(ServerFrames.helloOk(ctx.alloc(), context.limits().maxFrameBytes(), session.settledSeq(),
        context.instance()));
  }

  private void onDefine(ByteBuf b) {
    DefineDecoder.Decoded d = DefineDecoder.decode(b);
    SeriesTable.Slot shape = d.shape();
    SeriesTable.Refusal refusal = table.put(d.id(), shape);
    switch (refusal) {
      case OUT_OF_RANGE -> throw new ProtocolException(ErrorCode.DUPLICATE_SERIES_ID, "series id " + d.id()
          + " is outside 1.." + Protocol.MAX_SERIES_ID + "; number ids from 1, once per connection");
      case TAKEN -> throw new ProtocolException(ErrorCode.DUPLICATE_SERIES_ID, "series id " + d.id()
          + " is already defined on this connection; number ids from 1, once per connection");
      case TABLE_FULL -> throw new ProtocolException(ErrorCode.TOO_MANY_SERIES_IDS, "this connection already bound "
          + Protocol.MAX_IDS_PER_CONNECTION + " series ids; reconnect to start a fresh table");
      case NONE -> { }
    }
    try {
      Definition def = context.store().define(d.request());
      table.replace(d.id(), new SeriesTable.Slot(shape.type(), shape.mode(), shape.bucketCount(), def));
    } catch (DefinitionRejectedException e) {
      reject(e.code(), d.id(), e.getMessage());
    }
  }

  private void onBatch(ByteBuf b) {
    batches.decode(b, table);
    long seq = batches.seq();
    Session.Settled settled = session.settle(this, seq, () -> {
      if (batches.invalid() == null) {
        context.store().apply(batches.deltas(), connectionId, newlyRejected);
      }
    });
    switch (settled) {
      case NOT_OWNER -> { }
      case ALREADY_SETTLED -> {
        context.stats().batchesAlreadySettled.increment();
        answer(ServerFrames.ack(ctx.alloc(), seq, Protocol.ACK_ALREADY_SETTLED));
      }
      case NEW -> {
        if (batches.invalid() != null) {
          reject(ErrorCode.INVALID_VALUE, seq, batches.invalid());
          return;
        }
        context.stats().deltasReceived.add(batches.count());
        context.stats().deltasDroppedRejectedSeries.add(batches.dropped());
        context.stats().batchesApplied.increment();
        holdsLive |= batches.live();
        for (Definition d : newlyRejected) {
          reject(ErrorCode.TYPE_CLASH, table.idOf(d), d.rejection());
        }
        newlyRejected.clear();
        answer(ServerFrames.ack(ctx.alloc(), seq, Protocol.ACK_APPLIED));
      }
    }
  }

  private void reject(ErrorCode code, long ref, String message) {
    context.stats().error(code);
    LOG.log(Level.FINE, "connection {0}: {1} {2}", new Object[] {connectionId, code, message});
    answer(ServerFrames.error(ctx.alloc(), code, ref, message));
  }

  private void violation(ErrorCode code, String message) {
    if (closing) {
      return;
    }
    closing = true;
    context.stats().error(code);
    LOG.log(Level.FINE, "connection {0} closed: {1} {2}", new Object[] {connectionId, code, message});
    flushAnswers();
    ctx.writeAndFlush(ServerFrames.error(ctx.alloc(), code, 0, message)).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Queues one answer frame behind the others of this read. They go out as one buffer per read: the
   * channel's outbound accounting charges each message ~100 bytes beyond its own, so an ACK (~8 bytes)
   * written alone would make a client pipelining a few thousand batches look like one not reading.
   */
  private void answer(ByteBuf frame) {
    if (answers == null) {
      answers = ctx.alloc().buffer(Math.max(256, frame.readableBytes()));
    }
    answers.writeBytes(frame);
    frame.release();
  }

  private void flushAnswers() {
    ByteBuf pending = answers;
    answers = null;
    if (pending != null) {
      ctx.writeAndFlush(pending);
    } else {
      ctx.flush();
    }
  }
}
