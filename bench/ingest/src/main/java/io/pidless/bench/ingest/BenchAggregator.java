package io.pidless.bench.ingest;

import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * A fresh aggregator JVM per measurement, so no scenario inherits another's series, sessions, JIT
 * state or garbage: test-support's {@link AggregatorProcess}, as the tests start it, run with the
 * benchmark's jar and JVM options. A failure to start or stop cleanly, or an interruption, is an
 * {@link IOException}, which ends the benchmark with exit code 2.
 *
 * <pre>{@code
 * try (BenchAggregator agg = BenchAggregator.start(settings, "--max-series", "200000")) {
 *   URI metrics = agg.metricsUri();
 *   agg.stop();   // SIGTERM; throws unless it exits 0
 * }
 * }</pre>
 */
final class BenchAggregator implements Closeable {
  private final AggregatorProcess process;

  private BenchAggregator(AggregatorProcess process) {
    this.process = process;
  }

  /** Starts {@code settings}' jar under its JVM options on a temp socket, with {@code flags}. */
  static BenchAggregator start(BenchSettings settings, String... flags) throws IOException {
    return start(settings::command, flags);
  }

  /** Starts on a temp socket, with {@code flags}, the command as {@code tune} changes it. */
  static BenchAggregator start(UnaryOperator<AggregatorCommand> tune, String... flags) throws IOException {
    try {
      return new BenchAggregator(AggregatorProcess.startOnTempSocket(tune, flags));
    } catch (AssertionError | InterruptedException e) {
      throw failed("start", e);
    }
  }

  /**
   * Starts on {@code socket}, which the caller owns: a second aggregator started on the same path
   * after the first stopped finds its state file beside it.
   */
  static BenchAggregator startOn(BenchSettings settings, Path socket, String... flags) throws IOException {
    try {
      return new BenchAggregator(AggregatorProcess.start(settings.command(AggregatorCommand.on(socket, flags))));
    } catch (AssertionError | InterruptedException e) {
      throw failed("start", e);
    }
  }

  Path socket() {
    return process.socket();
  }

  URI metricsUri() {
    return URI.create("http://127.0.0.1:" + process.port() + "/metrics");
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the aggregator process has used so far, all threads. */
  long cpuNanos() {
    return ProcessHandle.of(process.pid()).flatMap(p -> p.info().totalCpuDuration()).orElseThrow(
        () -> new IllegalStateException("the OS does not report the aggregator's CPU time")).toNanos();
  }

  /** Everything the aggregator has logged so far. */
  String output() throws IOException {
    return process.output();
  }

  /** SIGTERM, then waits; a non-zero exit or a hang is a failure, with what it printed in the message. */
  void stop() throws IOException {
    try {
      process.stopCleanly();
    } catch (AssertionError | InterruptedException e) {
      throw failed("stop", e);
    }
  }

  /** Kills the process if {@link #stop()} was not called, and removes its socket directory. */
  @Override
  public void close() throws IOException {
    process.close();
  }

  private static IOException failed(String what, Throwable cause) {
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new IOException("aggregator did not " + what + " cleanly: " + cause.getMessage(), cause);
  }
}
