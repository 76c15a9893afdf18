package io.pidless.bench.client;

import io.pidless.client.Counter;
import io.pidless.client.PidlessClient;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import java.util.concurrent.TimeUnit;

/**
 * {@code Counter.inc()} of the pidless client beside simpleclient 0.16's, on one shared counter with
 * 1 and 2 threads, in the same JMH run so the ratio holds on a busy machine. The pidless client
 * points at a socket where no aggregator listens, so only the update path is measured: draining
 * costs once per flush interval (1 s by default), not once per update.
 *
 * <p>Latest figures, commands and machine: docs/perf/client-jvm.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CounterIncBenchmark {
  private PidlessClient client;
  private Counter pidless;
  private io.prometheus.client.Counter simpleclient;

  @Setup
  public void setUp() {
    client = PidlessClient.builder().socket(Path.of("/tmp/pidless-bench-none/none.sock"))
        .shutdownHook(false).build();
    pidless = Counter.build("bench_ops_total", "Benchmark operations.").register(client);
    simpleclient = io.prometheus.client.Counter.build("bench_ops_total", "Benchmark operations.").create();
  }

  @TearDown
  public void tearDown() {
    client.close();
  }

  @Benchmark
  @Threads(1)
  public void pidlessInc1Thread() {
    pidless.inc();
  }

  @Benchmark
  @Threads(1)
  public void simpleclientInc1Thread() {
    simpleclient.inc();
  }

  @Benchmark
  @Threads(2)
  public void pidlessInc2Threads() {
    pidless.inc();
  }

  @Benchmark
  @Threads(2)
  public void simpleclientInc2Threads() {
    simpleclient.inc();
  }
}
