package io.pidless.bench.ingest;

import io.pidless.protocol.FrameWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Creates many series fast: {@code connections} sessions in parallel, each defining its share in
 * chunks of {@value #CHUNK} DEFINEs followed by one BATCH giving each of them +1, pipelined, then
 * closing. Afterwards every series {@code n} of connection {@code k} reads exactly 1.
 *
 * <pre>{@code
 * long acked = SeriesFiller.fill(socket, 4, 25_000, k -> CounterSeries.spread("bench_scrape", 10, k));
 * }</pre>
 */
final class SeriesFiller {
  static final int CHUNK = 1000;
  private static final int WINDOW = 8;

  /** Which series connection {@code k} writes. */
  interface SeriesOf {
    CounterSeries forConnection(int k);
  }

  private SeriesFiller() {}

  /** Returns the deltas ACKed in total: one per series. */
  static long fill(Path socket, int connections, int seriesPerConnection, SeriesOf seriesOf) throws IOException {
    LongAdder acked = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < connections; k++) {
      CounterSeries series = seriesOf.forConnection(k);
      Thread t = new Thread(() -> {
        try {
          acked.add(fillOne(socket, series, seriesPerConnection));
        } catch (IOException | RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }, "series-filler");
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while creating series", e);
      }
    }
    if (failure.get() != null) {
      throw new IOException("creating series failed: " + failure.get().getMessage(), failure.get());
    }
    return acked.sum();
  }

  private static long fillOne(Path socket, CounterSeries series, int count) throws IOException {
    try (AckedConnection c = AckedConnection.open(socket, Frames.hello(Frames.newSessionId(), series, 1, 0), WINDOW)) {
      FrameWriter w = new FrameWriter(CHUNK * 96);
      long seq = 0;
      for (int first = 0; first < count; first += CHUNK) {
        int n = Math.min(CHUNK, count - first);
        Frames.defines(w, series, first + 1, first, n);
        Frames.batch(w, ++seq, Frames.batchBody(first + 1, n));
        c.send(seq, n, w);
      }
      c.drain(Duration.ofSeconds(120));
      return c.ackedDeltas();
    }
  }
}
