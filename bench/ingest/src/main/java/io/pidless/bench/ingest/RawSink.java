package io.pidless.bench.ingest;

import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.Varint;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Baseline servers that do (almost) no work, one blocking thread per connection (threads are reused
 * across connections). They show what the same load costs on this machine without an aggregator, so
 * the aggregator's figures are reported against them.
 *
 * <ul>
 *   <li>{@link #discarding}: reads every byte and throws it away (the ingest baseline the targets use);
 *   <li>{@link #acking}: splits frames by their length prefix and answers HELLO with HELLO_OK and each
 *       BATCH with ACK, flushing once per read like the aggregator: the protocol's transport floor;
 *   <li>{@link #answering}: reads a fixed number of bytes, writes a canned answer once, discards the
 *       rest (the churn baseline).
 * </ul>
 *
 * <pre>{@code
 * try (RawSink sink = RawSink.discarding(Path.of("/tmp/x/raw.sock"))) {
 *   ... send ...
 *   long n = sink.bytesRead();
 * }
 * }</pre>
 */
final class RawSink implements Closeable {
  /** Per thread, so a connection costs no allocation: threads are reused across connections. */
  private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256 * 1024));

  /** Serves one connection until it ends. */
  private interface Handler {
    void serve(SocketChannel ch, AtomicLong bytes) throws IOException;
  }

  private final ServerSocketChannel server;
  private final Path path;
  private final Handler handler;
  private final AtomicLong bytes = new AtomicLong();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-sink");
    t.setDaemon(true);
    return t;
  });

  private RawSink(Path path, Handler handler) throws IOException {
    this.path = path;
    this.handler = handler;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    threads.execute(this::acceptLoop);
  }

  static RawSink discarding(Path path) throws IOException {
    return new RawSink(path, (ch, bytes) -> discard(ch, bytes, 0, null));
  }

  /** After the first {@code requestBytes} of each connection, writes {@code reply} to it once. */
  static RawSink answering(Path path, int requestBytes, byte[] reply) throws IOException {
    return new RawSink(path, (ch, bytes) -> discard(ch, bytes, requestBytes, reply));
  }

  /** Answers HELLO with HELLO_OK and every BATCH with ACK (applied), without looking at anything else. */
  static RawSink acking(Path path) throws IOException {
    return new RawSink(path, RawSink::ack);
  }

  long bytesRead() {
    return bytes.get();
  }

  private void acceptLoop() {
    try {
      while (true) {
        SocketChannel ch = server.accept();
        threads.execute(() -> {
          try (ch) {
            handler.serve(ch, bytes);
          } catch (IOException e) {
            // the peer or close() ended the connection: nothing more to serve
          }
        });
      }
    } catch (IOException e) {
      // the server channel was closed by close(): no more connections
    }
  }

  private static void discard(SocketChannel ch, AtomicLong bytes, int requestBytes, byte[] reply) throws IOException {
    ByteBuffer buf = BUFFER.get().clear();
    long seen = 0;
    int n;
    while ((n = ch.read(buf)) >= 0) {
      bytes.addAndGet(n);
      long before = seen;
      seen += n;
      if (reply != null && before < requestBytes && seen >= requestBytes) {
        writeAll(ch, ByteBuffer.wrap(reply));
      }
      buf.clear();
    }
  }

  private static void ack(SocketChannel ch, AtomicLong bytes) throws IOException {
    DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch), 256 * 1024));
    FrameWriter out = new FrameWriter();
    try {
      while (true) {
        if (in.available() == 0 && out.size() > 0) {
          out.writeTo(ch);
        }
        int length = in.readInt();
        int type = in.readUnsignedByte();
        int rest = length - 1;
        if (type == FrameType.HELLO.code()) {
          out.beginFrame(FrameType.HELLO_OK).u8(Protocol.VERSION)
              .bytes(ByteBuffer.allocate(4).putInt(Protocol.DEFAULT_MAX_FRAME_BYTES).array()).varint(0)
              .bytes(new byte[8]);
          out.endFrame();
        } else if (type == FrameType.BATCH.code()) {
          byte[] head = in.readNBytes(Math.min(Varint.MAX_BYTES, rest));
          rest -= head.length;
          long seq = Varint.read(ByteBuffer.wrap(head)::get);
          out.beginFrame(FrameType.ACK).varint(seq).u8(Protocol.ACK_APPLIED);
          out.endFrame();
        }
        in.skipNBytes(rest);
        bytes.addAndGet(Protocol.LENGTH_PREFIX_BYTES + length);
      }
    } catch (EOFException e) {
      // the client closed the connection: done
    }
  }

  private static void writeAll(SocketChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(path);
  }
}
