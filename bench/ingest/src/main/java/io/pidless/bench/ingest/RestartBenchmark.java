package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the state file costs a restart: {@code scrapeSeries} counters filled, then SIGTERM until exit
 * (drain and save) and a new aggregator's start until it serves (JVM start and restore), both timed.
 * Beside it, in the same run, the same with {@code --state-file off}: what a restart costs anyway.
 * The restored aggregator must show every series at exactly 1.
 *
 * <pre>{@code
 * RestartBenchmark.Run r = RestartBenchmark.run(settings);
 * r.stopNanos() / (double) r.baselineStopNanos();
 * }</pre>
 */
final class RestartBenchmark {
  static final String BASE = "bench_restart";

  /** Stop and start times with the state file and without it, and the file's size. */
  record Run(long stopNanos, long startNanos, long baselineStopNanos, long baselineStartNanos, long stateBytes) {}

  private RestartBenchmark() {}

  /** One restart: SIGTERM to exit, launch to serving, and the state file in between. */
  private record Restart(long stopNanos, long startNanos, long stateBytes) {}

  static Run run(BenchSettings s) throws IOException {
    Restart baseline = restart(s, List.of("--state-file", "off"), false);
    Restart kept = restart(s, List.of(), true);
    return new Run(kept.stopNanos(), kept.startNanos(), baseline.stopNanos(), baseline.startNanos(),
        kept.stateBytes());
  }

  /** Fills, stops, and starts again in the same directory. */
  private static Restart restart(BenchSettings s, List<String> flags, boolean expectRestored) throws IOException {
    int perConnection = s.scrapeSeries() / ScrapeBenchmark.CONNECTIONS;
    String[] args = flags.toArray(String[]::new);
    try (TempSocketDir dir = new TempSocketDir()) {
      Path state = dir.path().resolve("pidless.state");
      long stop;
      long bytes;
      try (BenchAggregator first = BenchAggregator.startOn(s, dir.socket(), args)) {
        SeriesFiller.fill(first.socket(), ScrapeBenchmark.CONNECTIONS, perConnection,
            k -> CounterSeries.spread(BASE, ScrapeBenchmark.FAMILIES, k));
        long t = System.nanoTime();
        first.stop();
        stop = System.nanoTime() - t;
        bytes = Files.exists(state) ? Files.size(state) : 0;
      }
      long t = System.nanoTime();
      try (BenchAggregator second = BenchAggregator.startOn(s, dir.socket(), args)) {
        long start = System.nanoTime() - t;
        Scrape samples = new MetricsClient(second.metricsUri()).samples();
        long series = (long) ScrapeBenchmark.CONNECTIONS * perConnection;
        Exactness.expect(samples, "pidless_series", expectRestored ? series : 0);
        if (expectRestored) {
          for (int k = 0; k < ScrapeBenchmark.CONNECTIONS; k++) {
            CounterSeries c = CounterSeries.spread(BASE, ScrapeBenchmark.FAMILIES, k);
            for (int n = 0; n < perConnection; n++) {
              Exactness.expect(samples, c.sampleKey(n), 1);
            }
          }
        }
        second.stop();
        return new Restart(stop, start, bytes);
      }
    }
  }
}
