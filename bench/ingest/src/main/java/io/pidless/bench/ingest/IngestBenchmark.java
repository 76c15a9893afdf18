package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Target 1: deltas per second through {@value #CONNECTIONS} connections sending batches of
 * {@value #BATCH} counter deltas over {@value #SERIES} series each, pipelined with at most
 * {@value #WINDOW} batches un-ACKed. In the same run, the same loop sends the same bytes to two
 * {@link RawSink}s: one that discards them (the baseline of the target) and one that only frames and
 * ACKs them (the protocol's transport floor). Afterwards every series on the aggregator must read
 * exactly what was ACKed.
 *
 * <pre>{@code
 * IngestBenchmark.Run r = IngestBenchmark.run(settings);
 * r.ratio();   // aggregator rate / raw sink rate
 * }</pre>
 */
final class IngestBenchmark {
  static final int CONNECTIONS = 8;
  static final int BATCH = 500;
  static final int SERIES = 1000;
  static final int WINDOW = 16;
  static final String METRIC = "bench_ingest_total";

  /**
   * Deltas/s of the aggregator and of the acking sink (ACKed), and of the raw sink (bytes read / bytes
   * per delta); cores used by the aggregator process, and by this JVM (generator and sink) in the raw phase.
   */
  record Run(double aggregatorRate, double sinkRate, double ackingSinkRate, double bytesPerDelta, long checkedDeltas,
      double aggregatorCores, double rawPhaseCores) {
    double ratio() {
      return aggregatorRate / sinkRate;
    }

    double ackingRatio() {
      return aggregatorRate / ackingSinkRate;
    }
  }

  /** Verifies what the connections were ACKed, after they drained. */
  private interface Check {
    long verify(List<AckedConnection> conns) throws IOException;
  }

  private IngestBenchmark() {}

  static Run run(BenchSettings s) throws IOException {
    byte[][] bodies = {Frames.batchBody(1, BATCH), Frames.batchBody(BATCH + 1, BATCH)};
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pb");
    try {
      BatchLoad.Result raw;
      try (RawSink sink = RawSink.discarding(dir.resolve("raw.sock"))) {
        raw = discarded(dir.resolve("raw.sock"), s, bodies, sink);
      }
      BatchLoad.Result acking;
      RawSink ackingSink = RawSink.acking(dir.resolve("ack.sock"));
      try {
        acking = acked(dir.resolve("ack.sock"), s, bodies, conns -> 0, TimedWindow::ownCpuNanos);
      } finally {
        ackingSink.close();
      }
      try (BenchAggregator agg = BenchAggregator.start(s)) {
        long[] checked = new long[1];
        BatchLoad.Result r = acked(agg.socket(), s, bodies,
            conns -> checked[0] = checkExact(new MetricsClient(agg.metricsUri()), conns), agg::cpuNanos);
        agg.stop();
        return new Run(r.perSecond(), raw.perSecond() / raw.bytesPerDelta(), acking.perSecond(), raw.bytesPerDelta(),
            checked[0], r.window().coresUsed(), raw.window().coresUsed());
      }
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  /** The baseline: nobody answers, so the loop never waits; the sink's byte count is the progress. */
  private static BatchLoad.Result discarded(Path socket, BenchSettings s, byte[][] bodies, RawSink sink)
      throws IOException {
    List<BatchChannel> conns = new ArrayList<>();
    try {
      for (int k = 0; k < CONNECTIONS; k++) {
        conns.add(new BatchChannel.Unanswered(socket, preamble(k)));
      }
      return new BatchLoad(conns, bodies, BATCH).run(s.warmup(), s.duration(), sink::bytesRead,
          TimedWindow::ownCpuNanos);
    } finally {
      for (BatchChannel c : conns) {
        c.close();
      }
    }
  }

  /** ACKed deltas are the progress; after the run every connection drains and {@code check} runs. */
  private static BatchLoad.Result acked(Path socket, BenchSettings s, byte[][] bodies, Check check,
      LongSupplier receiverCpuNanos) throws IOException {
    List<AckedConnection> conns = new ArrayList<>();
    try {
      for (int k = 0; k < CONNECTIONS; k++) {
        conns.add(AckedConnection.open(socket, preamble(k), WINDOW));
      }
      BatchLoad.Result r = new BatchLoad(conns, bodies, BATCH).run(s.warmup(), s.duration(),
          () -> conns.stream().mapToLong(AckedConnection::ackedDeltas).sum(), receiverCpuNanos);
      for (AckedConnection c : conns) {
        c.drain(Duration.ofSeconds(30));
      }
      check.verify(conns);
      return r;
    } finally {
      for (AckedConnection c : conns) {
        c.close();
      }
    }
  }

  private static byte[] preamble(int conn) {
    return Frames.hello(Frames.newSessionId(), CounterSeries.of(METRIC, conn), 1, SERIES);
  }

  /**
   * Batches alternate between ids 1..500 and 501..1000, so after {@code b} ACKed batches series
   * 0..499 read ceil(b/2) and series 500..999 read floor(b/2); the aggregator's own delta counter
   * must equal the sum.
   */
  private static long checkExact(MetricsClient metrics, List<AckedConnection> conns) throws IOException {
    Scrape samples = metrics.samples();
    long total = 0;
    for (int k = 0; k < conns.size(); k++) {
      CounterSeries series = CounterSeries.of(METRIC, k);
      long batches = conns.get(k).ackedBatches();
      for (int n = 0; n < SERIES; n++) {
        long expected = n < BATCH ? (batches + 1) / 2 : batches / 2;
        Exactness.expect(samples, series.sampleKey(n), expected);
      }
      total += conns.get(k).ackedDeltas();
    }
    Exactness.expect(samples, "pidless_deltas_received_total", total);
    Exactness.expectSum(samples, METRIC, total);
    return total;
  }
}
