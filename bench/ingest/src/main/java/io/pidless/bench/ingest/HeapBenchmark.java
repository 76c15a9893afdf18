package io.pidless.bench.ingest;

import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Target 4: heap per counter series. Used heap after full GCs before and after creating
 * {@code heapSeries} series (then closing the connections that created them), divided by the count.
 * The aggregator runs with a fixed {@code -Xmx} and {@code --max-series} {@value #MAX_SERIES}. The
 * class histogram growth says where the bytes went. Finally one full scrape must show every series
 * at exactly 1.
 *
 * <pre>{@code
 * HeapBenchmark.Run r = HeapBenchmark.run(settings);
 * r.bytesPerSeries();
 * }</pre>
 */
final class HeapBenchmark {
  static final int MAX_SERIES = 1_100_000;
  static final int CONNECTIONS = 4;
  static final String METRIC = "bench_heap_total";

  /** Used heap before and after, the series created, and the classes that grew most. */
  record Run(long usedBefore, long usedAfter, long series, List<String> topGrowth, long fullScrapeNanos) {
    double bytesPerSeries() {
      return (double) (usedAfter - usedBefore) / series;
    }
  }

  private HeapBenchmark() {}

  static Run run(BenchSettings s) throws IOException {
    int perConnection = s.heapSeries() / CONNECTIONS;
    long series = (long) perConnection * CONNECTIONS;
    try (BenchAggregator agg = BenchAggregator.start(s, "--max-series", Integer.toString(MAX_SERIES))) {
      MetricsClient metrics = new MetricsClient(agg.metricsUri());
      metrics.get();
      Map<String, Long> histBefore = Jcmd.classHistogram(agg.pid());
      long before = Jcmd.usedHeapAfterFullGc(agg.pid());
      long acked = SeriesFiller.fill(agg.socket(), CONNECTIONS, perConnection, k -> CounterSeries.of(METRIC, k));
      if (acked != series) {
        throw new Exactness.Mismatch(acked + " deltas ACKed while creating " + series + " series");
      }
      awaitNoConnections(metrics);
      expectSelf(metrics, "pidless_series", series);
      expectSelf(metrics, "pidless_deltas_received_total", series);
      long after = Jcmd.usedHeapAfterFullGc(agg.pid());
      Map<String, Long> histAfter = Jcmd.classHistogram(agg.pid());
      MetricsClient.Timed full = metrics.get();
      Scrape samples = Scrape.parse(full.text());
      for (int k = 0; k < CONNECTIONS; k++) {
        CounterSeries cs = CounterSeries.of(METRIC, k);
        for (int n = 0; n < perConnection; n++) {
          Exactness.expect(samples, cs.sampleKey(n), 1);
        }
      }
      agg.stop();
      return new Run(before, after, series, Jcmd.topGrowth(histBefore, histAfter, 12, series), full.nanos());
    }
  }

  /** The creating connections' definitions must be gone before the heap is measured. */
  private static void awaitNoConnections(MetricsClient metrics) throws IOException {
    try {
      Await.awaitValue("no connection open after the filler closed them",
          () -> metrics.selfMetric("pidless_connections_open"), open -> open == 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the filler's connections to close", e);
    }
  }

  private static void expectSelf(MetricsClient metrics, String name, long expected) throws IOException {
    double v = metrics.selfMetric(name);
    if (v != (double) expected) {
      throw new Exactness.Mismatch(name + " is " + v + ", expected " + expected);
    }
  }
}
