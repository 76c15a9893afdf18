package io.pidless.aggregator;

import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.ServerFrame;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;

/** A small blocking protocol client for tests, over a real Unix socket (JDK only, like client-jvm). */
public final class TestClient implements Closeable {
  private final SocketChannel channel;
  private final FrameReader reader;
  private final FrameWriter out = new FrameWriter();
  private final byte[] session;

  public TestClient(Path socket) throws IOException {
    this(socket, newSession());
  }

  public TestClient(Path socket, byte[] session) throws IOException {
    this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    this.reader = new FrameReader(channel);
    this.session = session;
  }

  public static byte[] newSession() {
    byte[] id = new byte[16];
    new SecureRandom().nextBytes(id);
    return id;
  }

  public byte[] session() {
    return session;
  }

  /** Sends HELLO and returns the aggregator's HELLO_OK. */
  public ServerFrame.HelloOk hello() throws IOException {
    out.hello(session, "test-client");
    send();
    return (ServerFrame.HelloOk) read();
  }

  public TestClient counter(int id, String name, String... labels) throws IOException {
    return define(id, MetricType.COUNTER, null, name, null, labels);
  }

  public TestClient gauge(int id, GaugeMode mode, String name, String... labels) throws IOException {
    return define(id, MetricType.GAUGE, mode, name, null, labels);
  }

  public TestClient histogram(int id, String name, double[] bounds, String... labels) throws IOException {
    return define(id, MetricType.HISTOGRAM, null, name, bounds, labels);
  }

  public TestClient summary(int id, String name, String... labels) throws IOException {
    return define(id, MetricType.SUMMARY, null, name, null, labels);
  }

  /** Labels as alternating name, value. Buffered: goes out with the next {@link #send()}. */
  public TestClient define(int id, MetricType type, GaugeMode mode, String name, double[] bounds, String... labels) {
    String[] names = new String[labels.length / 2];
    String[] values = new String[labels.length / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels[2 * i];
      values[i] = labels[2 * i + 1];
    }
    out.define(id, type, mode, name, "help for " + name, names, values, bounds == null ? new double[0] : bounds);
    return this;
  }

  /** Starts a BATCH frame; write deltas with {@link #writer()}, then {@link #endBatch()}. */
  public FrameWriter beginBatch(long seq, int count) {
    return out.beginFrame(FrameType.BATCH).varint(seq).varint(count);
  }

  public TestClient endBatch() {
    out.endFrame();
    return this;
  }

  /** A one-delta batch adding {@code value} to a counter or gauge id. */
  public TestClient add(long seq, int id, double value) {
    beginBatch(seq, 1).varint(id).f64(value);
    return endBatch();
  }

  public FrameWriter writer() {
    return out;
  }

  /** Sends raw bytes, bypassing the writer. */
  public void sendRaw(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  public void send() throws IOException {
    out.writeTo(channel);
  }

  public ServerFrame read() throws IOException {
    return reader.read();
  }

  /** Sends what is buffered and expects one ACK for {@code seq} with the given outcome. */
  public ServerFrame.Ack sendAndAck(long seq) throws IOException {
    send();
    ServerFrame f = read();
    if (!(f instanceof ServerFrame.Ack ack) || ack.seq() != seq) {
      throw new AssertionError("expected ACK " + seq + ", got " + f);
    }
    return ack;
  }

  /**
   * True when the aggregator has closed this connection: read returns end of stream, or the connection
   * was reset because the aggregator closed it with frames of ours still unread.
   */
  public boolean closedByPeer() throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    try {
      return channel.read(one) < 0;
    } catch (SocketException e) {
      if (e.getMessage() != null && e.getMessage().contains("reset")) {
        return true;
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
