package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pidless.aggregator.config.AggregatorConfig.Budgets;
import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionHandler}'s state machine, with no socket: frames go into an {@link EmbeddedChannel}
 * behind the real {@link FrameDecoder}, answers are read back from its outbound side, and the store,
 * sessions and counters it writes are the real ones. What needs a peer's credentials or real time (the
 * per-uid limit, timeouts, unread answers) stays with the socket tests.
 */
class ConnectionHandlerTest {
  private static final int MAX_FRAME_BYTES = 4096;
  private static final long INSTANCE = 0x5EED;
  private static final String[] NONE = new String[0];

  private final AggregatorStats stats = new AggregatorStats();
  private final SeriesStore store = SeriesStore.builder().ttl(Duration.ofMinutes(10)).stats(stats).build();
  private final SessionRegistry sessions = new SessionRegistry(Duration.ofMinutes(10), 100, Ticker.systemTicker());
  private Budget ids = new Budget(1000);
  private int maxConnections = 8;
  private int maxIdsPerConnection = 100;
  private IngestContext context;

  /** The context every connection of one test shares, made on first use from the fields above. */
  private IngestContext context() {
    if (context == null) {
      Limits limits = new Limits(100, 30, 256, 1024, MAX_FRAME_BYTES);
      Budgets budgets = new Budgets(100, maxIdsPerConnection, ids.limit(), 1 << 20, 1 << 16);
      context = new IngestContext(store, sessions, stats, limits, budgets, ids, maxConnections, new UidConnections(8),
          Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(2).toNanos(), INSTANCE, new AtomicLong());
    }
    return context;
  }

  /** A connection as IngestServer builds one, less the guard: frames, then the handler. */
  private EmbeddedChannel connect() {
    return new EmbeddedChannel(new FrameDecoder(MAX_FRAME_BYTES), new ConnectionHandler(context()));
  }

  private static byte[] newSession(int n) {
    byte[] id = new byte[Protocol.SESSION_ID_BYTES];
    id[15] = (byte) n;
    return id;
  }

  /** Writes what {@code frames} writes as one read of the connection. */
  private static void send(EmbeddedChannel ch, Consumer<FrameWriter> frames) {
    FrameWriter w = new FrameWriter();
    frames.accept(w);
    ch.writeInbound(Unpooled.wrappedBuffer(w.toByteArray()));
  }

  private static void counter(FrameWriter w, int id, String name) {
    w.define(id, MetricType.COUNTER, null, name, "help", NONE, NONE, null);
  }

  /** Defines counters {@code c1_total} to {@code c<n>_total} as ids 1 to {@code n}, in one read. */
  private static void defineCounters(EmbeddedChannel ch, int n) {
    send(ch, w -> {
      for (int id = 1; id <= n; id++) {
        counter(w, id, "c" + id + "_total");
      }
    });
  }

  private static void batch(FrameWriter w, long seq, int id, double value) {
    w.beginFrame(FrameType.BATCH).varint(seq).varint(1).varint(id).f64(value).endFrame();
  }

  /** Every answer written since the last call, in order; each outbound buffer released. */
  private static List<ServerFrame> answers(EmbeddedChannel ch) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
      bytes.write(take(b));
    }
    return frames(bytes.toByteArray());
  }

  /** The bytes of {@code b}, which is released. */
  private static byte[] take(ByteBuf b) {
    byte[] copy = new byte[b.readableBytes()];
    b.readBytes(copy);
    b.release();
    return copy;
  }

  /** The server frames in {@code bytes}, read as a client reads them. */
  private static List<ServerFrame> frames(byte[] bytes) throws IOException {
    FrameReader reader = new FrameReader(Channels.newChannel(new ByteArrayInputStream(bytes)));
    List<ServerFrame> frames = new ArrayList<>();
    try {
      while (true) {
        frames.add(reader.read());
      }
    } catch (EOFException end) {
      return frames;
    }
  }

  private static ServerFrame.Error onlyError(EmbeddedChannel ch, ErrorCode code) throws IOException {
    List<ServerFrame> got = answers(ch);
    assertEquals(1, got.size(), got.toString());
    ServerFrame.Error e = assertInstanceOf(ServerFrame.Error.class, got.get(0));
    assertEquals(code, e.code(), e.message());
    return e;
  }

  /** Asserts {@code ch} was answered only an ERROR {@code code} whose message names {@code mentions}, and closed. */
  private static void closedWith(EmbeddedChannel ch, ErrorCode code, String mentions) throws IOException {
    ServerFrame.Error e = onlyError(ch, code);
    assertTrue(e.message().contains(mentions), e.message());
    assertFalse(ch.isOpen(), code + " closes the connection");
  }

  /** A connection that said HELLO on {@code session} and was answered HELLO_OK. */
  private EmbeddedChannel helloed(byte[] session) throws IOException {
    EmbeddedChannel ch = connect();
    send(ch, w -> w.hello(session, "test"));
    assertInstanceOf(ServerFrame.HelloOk.class, answers(ch).get(0));
    return ch;
  }

  /** The store's value of the one series named {@code name}. */
  private double value(String name) {
    List<SeriesSnapshot> found = store.snapshot().stream().filter(s -> s.key().name().equals(name)).toList();
    assertEquals(1, found.size(), "series named " + name + ": " + found);
    return found.get(0).value();
  }

  @Test
  void helloIsAnsweredWithTheFrameLimitTheSettledSeqAndTheInstance() throws IOException {
    EmbeddedChannel ch = connect();
    send(ch, w -> w.hello(newSession(1), "test"));
    assertEquals(List.of(new ServerFrame.HelloOk(Protocol.VERSION, MAX_FRAME_BYTES, 0, INSTANCE)), answers(ch));
    assertTrue(ch.isOpen());
    assertEquals(1, stats.framesReceived(FrameType.HELLO));
    assertEquals(1, stats.connectionsOpen.get());
    assertFalse(ch.finishAndReleaseAll());
    assertEquals(0, stats.connectionsOpen.get());
  }

  @Test
  void defineBeforeHelloIsABadHandshakeThatClosesTheConnection() throws IOException {
    EmbeddedChannel ch = connect();
    send(ch, w -> counter(w, 1, "early_total"));
    ServerFrame.Error e = onlyError(ch, ErrorCode.BAD_HANDSHAKE);
    assertEquals(0, e.ref(), "a violation names no frame");
    assertTrue(e.message().contains("DEFINE before HELLO"), e.message());
    assertFalse(ch.isOpen());
    assertEquals(1, stats.errors(ErrorCode.BAD_HANDSHAKE));
    assertEquals(List.of(), store.snapshot(), "nothing defined");
  }

  @Test
  void framesAfterAViolationInTheSameReadAreNotApplied() throws IOException {
    EmbeddedChannel ch = helloed(newSession(1));
    send(ch, w -> {
      counter(w, 1, "a_total");
      batch(w, 1, 9, 1);   // id 9 was never defined
      batch(w, 2, 1, 5);
    });
    ServerFrame.Error e = onlyError(ch, ErrorCode.UNKNOWN_SERIES_ID);
    assertTrue(e.message().contains("9"), e.message());
    assertFalse(ch.isOpen());
    assertEquals(0.0, value("a"), "the batch after the violation was dropped");
    assertEquals(1, stats.errors(ErrorCode.UNKNOWN_SERIES_ID));
  }

  @Test
  void answersOfOneReadGoOutInOneBufferInFrameOrder() throws IOException {
    EmbeddedChannel ch = helloed(newSession(1));
    send(ch, w -> {
      counter(w, 1, "p_total");
      for (long seq = 1; seq <= 3; seq++) {
        batch(w, seq, 1, 2);
      }
    });
    byte[] one = take(ch.readOutbound());
    assertEquals(List.of(), answers(ch), "the three ACKs came in one buffer");
    assertEquals(List.of(new ServerFrame.Ack(1, Protocol.ACK_APPLIED), new ServerFrame.Ack(2, Protocol.ACK_APPLIED),
        new ServerFrame.Ack(3, Protocol.ACK_APPLIED)), frames(one));
    assertEquals(6.0, value("p"));
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aResumedSessionGetsItsSettledSeqAndAReSentBatchIsAckedButNotAppliedTwice() throws IOException {
    byte[] session = newSession(7);
    EmbeddedChannel first = helloed(session);
    send(first, w -> {
      counter(w, 1, "once_total");
      batch(w, 1, 1, 5);
      batch(w, 2, 1, 6);
    });
    assertEquals(2, answers(first).size());
    first.close();

    EmbeddedChannel again = connect();
    send(again, w -> w.hello(session, "test"));
    assertEquals(List.of(new ServerFrame.HelloOk(Protocol.VERSION, MAX_FRAME_BYTES, 2, INSTANCE)), answers(again));
    send(again, w -> {
      counter(w, 1, "once_total");
      batch(w, 2, 1, 6);
      batch(w, 3, 1, 7);
    });
    assertEquals(List.of(new ServerFrame.Ack(2, Protocol.ACK_ALREADY_SETTLED),
        new ServerFrame.Ack(3, Protocol.ACK_APPLIED)), answers(again));
    assertEquals(18.0, value("once"));
    assertEquals(1, stats.batchesAlreadySettled.sum());
    assertFalse(again.finishAndReleaseAll());
  }

  @Test
  void aNewerConnectionOnTheSameSessionTakesItOverAndTheOlderIsClosed() throws IOException {
    byte[] session = newSession(3);
    EmbeddedChannel old = helloed(session);
    EmbeddedChannel newer = helloed(session);
    old.runPendingTasks();   // the take-over runs on the old connection's event loop
    ServerFrame.Error e = onlyError(old, ErrorCode.SESSION_TAKEN_OVER);
    assertTrue(e.message().contains("taken over"), e.message());
    assertFalse(old.isOpen());
    send(newer, w -> {
      counter(w, 1, "t_total");
      batch(w, 1, 1, 4);
    });
    assertEquals(List.of(new ServerFrame.Ack(1, Protocol.ACK_APPLIED)), answers(newer));
    assertEquals(4.0, value("t"));
    assertFalse(newer.finishAndReleaseAll());
  }

  @Test
  void aRejectedDefinitionOrBatchIsAnsweredAndTheConnectionGoesOn() throws IOException {
    EmbeddedChannel ch = helloed(newSession(1));
    send(ch, w -> {
      counter(w, 1, "bad-name");
      counter(w, 2, "good_total");
      w.beginFrame(FrameType.BATCH).varint(1).varint(2).varint(1).f64(5).varint(2).f64(7).endFrame();
      batch(w, 2, 2, -1);   // a counter does not go down
      batch(w, 3, 2, 1);
    });
    List<ServerFrame> got = answers(ch);
    assertEquals(4, got.size(), got.toString());
    ServerFrame.Error name = assertInstanceOf(ServerFrame.Error.class, got.get(0));
    assertEquals(ErrorCode.INVALID_NAME, name.code());
    assertEquals(1, name.ref(), "ref names the series id");
    assertEquals(new ServerFrame.Ack(1, Protocol.ACK_APPLIED), got.get(1));
    ServerFrame.Error value = assertInstanceOf(ServerFrame.Error.class, got.get(2));
    assertEquals(ErrorCode.INVALID_VALUE, value.code());
    assertEquals(2, value.ref(), "ref names the batch seq");
    assertEquals(new ServerFrame.Ack(3, Protocol.ACK_APPLIED), got.get(3));
    assertTrue(ch.isOpen());
    assertEquals(8.0, value("good"), "7, then nothing of the rejected batch, then 1");
    assertEquals(1, stats.deltasDroppedRejectedSeries.sum());
    send(ch, w -> batch(w, 2, 2, 100));
    assertEquals(List.of(new ServerFrame.Ack(2, Protocol.ACK_ALREADY_SETTLED)), answers(ch),
        "a rejected batch's seq is settled");
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aFrameDecoderViolationIsAnsweredAndClosesTheConnection() throws IOException {
    EmbeddedChannel ch = helloed(newSession(1));
    ch.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME_BYTES + 1).writeByte(FrameType.BATCH.code()));
    onlyError(ch, ErrorCode.FRAME_TOO_LARGE);
    assertFalse(ch.isOpen());
    assertEquals(1, stats.errors(ErrorCode.FRAME_TOO_LARGE));
  }

  @Test
  void connectionsBeyondMaxConnectionsAreRefusedAndTheCountFallsWithTheirClose() throws IOException {
    maxConnections = 2;
    EmbeddedChannel a = connect();
    EmbeddedChannel b = connect();
    EmbeddedChannel refused = connect();
    closedWith(refused, ErrorCode.CONNECTION_LIMIT, "--max-connections");
    assertTrue(a.isOpen() && b.isOpen());
    a.close();
    EmbeddedChannel c = connect();
    assertTrue(c.isOpen(), "a closed connection's place is free again");
    assertEquals(List.of(), answers(c));
    assertEquals(2, stats.connectionsOpen.get());
    assertEquals(4, stats.connectionsTotal.sum());
    b.close();
    c.close();
    assertEquals(0, stats.connectionsOpen.get());
  }

  @Test
  void idsBeyondMaxIdsPerConnectionAreRefusedAndClose() throws IOException {
    maxIdsPerConnection = 2;
    EmbeddedChannel ch = helloed(newSession(1));
    defineCounters(ch, 3);
    closedWith(ch, ErrorCode.TOO_MANY_SERIES_IDS, "--max-ids-per-connection");
    assertEquals(0, ids.used(), "every id it bound is given back with its close");
  }

  @Test
  void idsBeyondTheBudgetOfAllConnectionsAreAMemoryLimit() throws IOException {
    ids = new Budget(3);
    EmbeddedChannel holder = helloed(newSession(1));
    defineCounters(holder, 2);
    EmbeddedChannel other = helloed(newSession(2));
    defineCounters(other, 2);
    closedWith(other, ErrorCode.MEMORY_LIMIT, "--max-ids");
    assertEquals(2, ids.used(), "the refused connection gave back the one it bound");
    holder.close();
    assertEquals(0, ids.used());
  }

  @Test
  void closingAConnectionRemovesItsLiveGaugeValuesAtOnce() throws IOException {
    EmbeddedChannel a = helloed(newSession(1));
    EmbeddedChannel b = helloed(newSession(2));
    for (EmbeddedChannel ch : List.of(a, b)) {
      double busy = ch == a ? 2 : 3;
      send(ch, w -> {
        w.define(1, MetricType.GAUGE, GaugeMode.LIVESUM, "busy_workers", "help", NONE, NONE, null);
        batch(w, 1, 1, busy);
      });
      assertEquals(List.of(new ServerFrame.Ack(1, Protocol.ACK_APPLIED)), answers(ch));
    }
    assertEquals(5.0, value("busy_workers"));
    a.close();
    assertEquals(3.0, value("busy_workers"), "no wait: the close is handled on the connection's own loop");
    b.close();
    assertEquals(0.0, value("busy_workers"));
    assertEquals(0, ids.used());
  }

  /**
   * The guard behind the handler gives back the per-uid slot on channelInactive; the open count must
   * still count the connection then, so a client that waits for it to fall finds every slot free.
   */
  @Test
  void theOpenCountFallsOnlyAfterTheHandlersBehindSawTheClose() throws IOException {
    List<Integer> openSeenBehind = new ArrayList<>();
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX_FRAME_BYTES), new ConnectionHandler(context()),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            openSeenBehind.add(stats.connectionsOpen.get());
            ctx.fireChannelInactive();
          }
        });
    send(ch, w -> w.hello(newSession(1), "test"));
    answers(ch);
    ch.close();
    assertEquals(List.of(1), openSeenBehind);
    assertEquals(0, stats.connectionsOpen.get());
    assertEquals(0, sessions.size(), "a session that settled nothing is forgotten with its connection");
  }
}
