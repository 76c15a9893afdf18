package io.pidless.bench.ingest;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Samples a progress counter, and the CPU time the receiving process has used, at the end of the
 * warmup and at the end of the run while the load runs on other threads: the steady state only.
 *
 * <pre>{@code
 * TimedWindow w = TimedWindow.measure(Duration.ofSeconds(3), Duration.ofSeconds(10), done::sum, agg::cpuNanos);
 * w.perSecond();
 * w.coresUsed();   // CPU seconds the receiver used per second of the window
 * }</pre>
 */
record TimedWindow(long progress, long nanos, long cpuNanos) {
  static TimedWindow measure(Duration warmup, Duration duration, LongSupplier progress, LongSupplier cpuNanos) {
    sleep(warmup);
    long startCount = progress.getAsLong();
    long startCpu = cpuNanos.getAsLong();
    long start = System.nanoTime();
    sleep(duration);
    long endCount = progress.getAsLong();
    long endCpu = cpuNanos.getAsLong();
    return new TimedWindow(endCount - startCount, System.nanoTime() - start, endCpu - startCpu);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** CPU time of this JVM, for receivers running inside the benchmark process (the sinks). */
  static long ownCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
  }

  double perSecond() {
    return progress * 1e9 / nanos;
  }

  double coresUsed() {
    return (double) cpuNanos / nanos;
  }
}
