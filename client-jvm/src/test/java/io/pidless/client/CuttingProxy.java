package io.pidless.client;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Unix socket relay between a client and the real aggregator that can lose the aggregator's next
 * answer and cut the connection, the way a crash between "applied" and "ACK read" does. Lets a test
 * prove that a re-sent batch is not applied twice within one aggregator lifetime.
 */
final class CuttingProxy implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path upstream;
  private final Path socket;
  private final AtomicBoolean dropNextAnswer = new AtomicBoolean();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  CuttingProxy(Path socket, Path upstream) throws IOException {
    this.socket = socket;
    this.upstream = upstream;
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptor = new Thread(this::accept, "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The next bytes the aggregator sends are discarded and both sides of that connection closed. */
  void dropNextAnswerAndCut() {
    dropNextAnswer.set(true);
  }

  boolean armed() {
    return dropNextAnswer.get();
  }

  int connections() {
    return connections.get();
  }

  private void accept() {
    try {
      while (true) {
        SocketChannel client = server.accept();
        SocketChannel aggregator = SocketChannel.open(UnixDomainSocketAddress.of(upstream));
        connections.incrementAndGet();
        pump(client, aggregator, false);
        pump(aggregator, client, true);
      }
    } catch (IOException e) {
      if (server.isOpen()) {
        throw new java.io.UncheckedIOException("proxy accept failed", e);
      }
    }
  }

  private void pump(SocketChannel from, SocketChannel to, boolean answers) {
    Thread t = new Thread(() -> {
      ByteBuffer buf = ByteBuffer.allocate(65536);
      try {
        while (from.read(buf) >= 0) {
          buf.flip();
          if (answers && dropNextAnswer.compareAndSet(true, false)) {
            break;
          }
          while (buf.hasRemaining()) {
            to.write(buf);
          }
          buf.clear();
        }
      } catch (IOException e) {
        // expected: the opposite pump closed both channels, which ends this one too
      }
      closeBoth(from, to);
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeBoth(SocketChannel a, SocketChannel b) {
    try {
      a.close();
      b.close();
    } catch (IOException e) {
      throw new IllegalStateException("closing a proxy pair failed", e);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }
}
