package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.pidless.aggregator.session.Session;
import io.pidless.aggregator.session.SessionId;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.DefinitionRejectedException;
import io.pidless.aggregator.store.Definition;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.Protocol;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The protocol state machine of one connection: HELLO, then DEFINEs and BATCHes. Answers are written
 * in frame order and flushed once per read. Runs on the connection's event loop only.
 * {@link ConnectionGuard}, after it, keeps the connection from starving others.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(ConnectionHandler.class.getName());

  private final IngestContext context;
  private final long connectionId;
  private final SeriesTable table;
  private final BatchDecoder batches = new BatchDecoder();
  private final List<Definition> newlyRejected = new ArrayList<>();
  private ChannelHandlerContext ctx;
  private Session session;
  private boolean closing;
  private volatile long lastReadNanos = System.nanoTime();
  private boolean holdsLive;
  /** Answers of the current read, written together at its end; null when there are none. */
  private ByteBuf answers;

  ConnectionHandler(IngestContext context) {
    this.context = context;
    this.connectionId = context.connectionIds().incrementAndGet();
    this.table = new SeriesTable(context.budgets().maxIdsPerConnection(), context.ids());
  }

  /** Nanotime of the last bytes read; the server waits for quiet connections at shutdown. */
  long lastReadNanos() {
    return lastReadNanos;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    context.stats().connectionsTotal.increment();
    if (context.stats().connectionsOpen.incrementAndGet() > context.maxConnections()) {
      violation(ErrorCode.CONNECTION_LIMIT, "more than " + context.maxConnections()
          + " connections are open (--max-connections); connect again later");
    }
    ctx.fireChannelActive();
  }

  /** True once the connection said HELLO. */
  boolean helloed() {
    return session != null;
  }

  /** True once this connection applied a live gauge value: closing it would remove that value. */
  boolean holdsLive() {
    return holdsLive;
  }

  /** True once the connection is being closed; nothing more is read from it. */
  boolean closing() {
    return closing;
  }

  /** Closes without an ERROR: the documented idle close, or a client that would not read one anyway. */
  void quietClose(String why) {
    closing = true;
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
    ctx.fireChannelReadComplete();
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
    // The guard behind gives back this connection's per-uid slot first: once the open count says
    // it is closed, every slot it held is free, so a client that waited for it is not refused.
    ctx.fireChannelInactive();
    if (answers != null) {
      answers.release();
      answers = null;
    }
    context.store().release(table.definitions(), connectionId);
    table.release();
    if (session != null) {
      context.sessions().detach(session, this);
    }
    context.stats().connectionsOpen.decrementAndGet();
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
    if (attached == null) {
      throw new ProtocolException(ErrorCode.SESSION_LIMIT, "the aggregator remembers " + context.sessions().limit()
          + " sessions (--max-sessions), each until its --session-ttl runs out, and takes no new one now;"
          + " reconnect after a backoff");
    }
    session = attached.session();
    if (attached.previousOwner() instanceof ConnectionHandler previous) {
      previous.takenOver();
    }
    LOG.log(Level.FINE, "connection {0}: HELLO from {1}, session {2}",
        new Object[] {connectionId, client.length() > 64 ? client.substring(0, 64) : client, id});
    ServerFrames.helloOk(answers(), context.limits().maxFrameBytes(), session.settledSeq(), context.instance());
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
          + context.budgets().maxIdsPerConnection() + " series ids (--max-ids-per-connection); define each series"
          + " once per connection, or raise the flag");
      case BUDGET_FULL -> throw new ProtocolException(ErrorCode.MEMORY_LIMIT, "all connections together hold "
          + context.ids().limit() + " series ids (--max-ids); reconnect after a backoff, or raise -Xmx or --max-ids");
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
        ServerFrames.ack(answers(), seq, Protocol.ACK_ALREADY_SETTLED);
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
        ServerFrames.ack(answers(), seq, Protocol.ACK_APPLIED);
      }
    }
  }

  private void reject(ErrorCode code, long ref, String message) {
    context.stats().error(code);
    LOG.log(Level.FINE, "connection {0}: {1} {2}", new Object[] {connectionId, code, message});
    ServerFrames.error(answers(), code, ref, message);
  }

  void violation(ErrorCode code, String message) {
    if (closing) {
      return;
    }
    closing = true;
    context.stats().error(code);
    LOG.log(Level.FINE, "connection {0} closed: {1} {2}", new Object[] {connectionId, code, message});
    flushAnswers();
    ctx.writeAndFlush(ServerFrames.error(ctx.alloc().buffer(), code, 0, message)).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * The buffer the answers of the current read are appended to, written together at its end: the
   * channel's outbound accounting charges each message ~100 bytes beyond its own, so an ACK (~8 bytes)
   * written alone would make a client pipelining a few thousand batches look like one not reading.
   */
  private ByteBuf answers() {
    if (answers == null) {
      answers = ctx.alloc().buffer(256);
    }
    return answers;
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
