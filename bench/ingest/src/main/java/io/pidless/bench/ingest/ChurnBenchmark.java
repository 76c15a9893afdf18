package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;
import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.Protocol;
import io.pidless.protocol.ServerFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Target 2: short-lived workers. {@value #THREADS} client threads each loop: connect, HELLO with a new
 * session, DEFINE {@value #SERIES} counters, one BATCH of one delta each, wait for HELLO_OK and the
 * ACK, close. Beside it, the same loop against a {@link RawSink} that answers with canned bytes.
 * Afterwards each of the series must read exactly the number of connections ACKed.
 *
 * <pre>{@code
 * ChurnBenchmark.Run r = ChurnBenchmark.run(settings);
 * r.aggregatorRate();   // connections per second
 * }</pre>
 */
final class ChurnBenchmark {
  static final int THREADS = 8;
  static final int SERIES = 20;
  static final String METRIC = "bench_churn_total";

  /** Completed connections per second, against the aggregator and against the canned-answer sink. */
  record Run(double aggregatorRate, double baselineRate, long checkedConnections, double aggregatorCores) {
    double ratio() {
      return aggregatorRate / baselineRate;
    }
  }

  private ChurnBenchmark() {}

  static Run run(BenchSettings s) throws IOException {
    CounterSeries series = CounterSeries.of(METRIC, 0);
    FrameWriter w = new FrameWriter();
    Frames.defines(w, series, 1, 0, SERIES);
    Frames.batch(w, 1, Frames.batchBody(1, SERIES));
    byte[] afterHello = w.toByteArray();
    double baseline = againstSink(s, afterHello);
    try (BenchAggregator agg = BenchAggregator.start(s)) {
      Loop loop = new Loop(agg.socket(), afterHello);
      TimedWindow window = loop.run(s, agg::cpuNanos);
      Scrape samples = new MetricsClient(agg.metricsUri()).samples();
      for (int n = 0; n < SERIES; n++) {
        Exactness.expect(samples, series.sampleKey(n), loop.completed.sum());
      }
      Exactness.expect(samples, "pidless_connections_total", loop.completed.sum());
      agg.stop();
      return new Run(window.perSecond(), baseline, loop.completed.sum(), window.coresUsed());
    }
  }

  private static double againstSink(BenchSettings s, byte[] afterHello) throws IOException {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pb");
    int requestBytes = new FrameWriter().hello(new byte[Protocol.SESSION_ID_BYTES], Loop.CLIENT).size()
        + afterHello.length;
    RawSink sink = RawSink.answering(dir.resolve("raw.sock"), requestBytes, cannedAnswer());
    try {
      return new Loop(dir.resolve("raw.sock"), afterHello).run(s, TimedWindow::ownCpuNanos).perSecond();
    } finally {
      sink.close();
      Files.deleteIfExists(dir);
    }
  }

  /** HELLO_OK (v1, default max frame, last_seq 0, instance 0) and ACK seq 1 applied, as the aggregator sends them. */
  private static byte[] cannedAnswer() {
    FrameWriter w = new FrameWriter();
    w.beginFrame(FrameType.HELLO_OK).u8(Protocol.VERSION)
        .bytes(ByteBuffer.allocate(4).putInt(Protocol.DEFAULT_MAX_FRAME_BYTES).array()).varint(0).bytes(new byte[8]);
    w.endFrame();
    w.beginFrame(FrameType.ACK).varint(1).u8(Protocol.ACK_APPLIED);
    w.endFrame();
    return w.toByteArray();
  }

  /** The client side: {@value #THREADS} threads, each one connection at a time, for warmup + duration. */
  private static final class Loop {
    static final String CLIENT = "pidless-bench-churn/0.1";
    final Path socket;
    final byte[] afterHello;
    final LongAdder completed = new LongAdder();

    Loop(Path socket, byte[] afterHello) {
      this.socket = socket;
      this.afterHello = afterHello;
    }

    TimedWindow run(BenchSettings s, LongSupplier receiverCpuNanos) throws IOException {
      long end = System.nanoTime() + s.warmup().toNanos() + s.duration().toNanos();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        Thread t = new Thread(() -> {
          try {
            FrameWriter w = new FrameWriter(afterHello.length + 64);
            while (System.nanoTime() < end && failure.get() == null) {
              once(w);
              completed.increment();
            }
          } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        }, "churn-client");
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      TimedWindow window = TimedWindow.measure(s.warmup(), s.duration(), completed::sum, receiverCpuNanos);
      for (Thread t : threads) {
        try {
          t.join(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while stopping the churn clients", e);
        }
      }
      if (failure.get() != null) {
        throw new IOException("churn failed: " + failure.get().getMessage(), failure.get());
      }
      return window;
    }

    private void once(FrameWriter w) throws IOException {
      try (SocketChannel ch = BatchChannel.connect(socket)) {
        w.hello(Frames.newSessionId(), CLIENT).bytes(afterHello).writeTo(ch);
        FrameReader in = new FrameReader(ch);
        ServerFrame hello = in.read();
        ServerFrame ack = in.read();
        if (!(hello instanceof ServerFrame.HelloOk)
            || !(ack instanceof ServerFrame.Ack a && a.seq() == 1 && a.outcome() == Protocol.ACK_APPLIED)) {
          throw new IOException("expected HELLO_OK then ACK seq 1 applied, got " + hello + " then " + ack);
        }
      }
    }
  }
}
