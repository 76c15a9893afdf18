package io.pidless.bench.ingest;

import io.pidless.testsupport.AggregatorCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one benchmark invocation runs with. {@link #full} is the measurement the targets are judged
 * on; {@link #quick} is a smoke run of every scenario at a tenth of the scale. The full warmup is
 * 10 s because a fresh aggregator's C2 compiler still takes about half its CPU 3 s in (perf shows it),
 * and the targets are about the steady state.
 *
 * <pre>{@code
 * BenchSettings s = BenchSettings.full(Path.of("aggregator/target/pidless-aggregator.jar"), List.of("-Xmx2g"), 3);
 * }</pre>
 */
record BenchSettings(
    Path aggregatorJar,
    List<String> aggregatorJvmOptions,
    int repeats,
    Duration warmup,
    Duration duration,
    int scrapeSeries,
    int scrapeRepeats,
    int heapSeries) {

  static BenchSettings full(Path jar, List<String> jvmOptions, int repeats) {
    return new BenchSettings(jar, jvmOptions, repeats, Duration.ofSeconds(10), Duration.ofSeconds(10),
        100_000, 15, 1_000_000);
  }

  static BenchSettings quick(Path jar, List<String> jvmOptions, int repeats) {
    return new BenchSettings(jar, jvmOptions, repeats, Duration.ofSeconds(1), Duration.ofSeconds(2),
        10_000, 5, 100_000);
  }

  /** The same settings with another warmup and measured duration per scenario. */
  BenchSettings timing(Duration newWarmup, Duration newDuration) {
    return new BenchSettings(aggregatorJar, aggregatorJvmOptions, repeats, newWarmup, newDuration, scrapeSeries,
        scrapeRepeats, heapSeries);
  }

  /** {@code command} run with this benchmark's aggregator jar and JVM options. */
  AggregatorCommand command(AggregatorCommand command) {
    return command.jar(aggregatorJar).jvmOptions(aggregatorJvmOptions);
  }

  /** True when the scale is the one the targets are stated for. */
  boolean judged() {
    return scrapeSeries == 100_000 && heapSeries == 1_000_000 && duration.compareTo(Duration.ofSeconds(10)) >= 0;
  }
}
