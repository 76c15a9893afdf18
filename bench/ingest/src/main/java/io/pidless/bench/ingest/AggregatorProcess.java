package io.pidless.bench.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A fresh aggregator JVM per measurement, so no scenario inherits another's series, sessions, JIT
 * state or garbage. Its stderr goes to a log file whose tail is shown when something goes wrong.
 *
 * <pre>{@code
 * try (AggregatorProcess agg = AggregatorProcess.start(jar, List.of("-Xmx2g"), List.of("--max-series", "200000"))) {
 *   URI metrics = agg.metricsUri();
 *   agg.stop();   // SIGTERM; throws unless it exits 0
 * }
 * }</pre>
 */
final class AggregatorProcess implements Closeable {
  private static final Pattern METRICS_AT = Pattern.compile("metrics at (http://[^\\s/]+/metrics)");
  private static final long START_TIMEOUT_MS = 30_000;

  private final Process process;
  private final Path dir;
  private final Path socket;
  private final Path log;
  private final URI metricsUri;
  /** Whether {@link #close} removes {@link #dir}: not when the caller gave it, to restart in it. */
  private final boolean ownsDir;
  /** Kills the aggregator if the benchmark itself is interrupted (Ctrl-C, SIGTERM), so none is left behind. */
  private final Thread killOnExit;

  private AggregatorProcess(Process process, Path dir, boolean ownsDir, Path socket, Path log, URI metricsUri) {
    this.killOnExit = new Thread(this::killAndClean, "kill-aggregator");
    Runtime.getRuntime().addShutdownHook(killOnExit);
    this.process = process;
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.socket = socket;
    this.log = log;
    this.metricsUri = metricsUri;
  }

  /** Starts {@code java <jvmOptions> -jar <jar> --socket <tmp> --listen 127.0.0.1:0 <flags>}. */
  static AggregatorProcess start(Path jar, List<String> jvmOptions, List<String> flags) throws IOException {
    return start(jar, jvmOptions, flags, Map.of());
  }

  /** As {@link #start(Path, List, List)}, with {@code env} added to the aggregator's environment. */
  static AggregatorProcess start(Path jar, List<String> jvmOptions, List<String> flags, Map<String, String> env)
      throws IOException {
    return start(Files.createTempDirectory(Path.of("/tmp"), "pb"), true, jar, jvmOptions, flags, env);
  }

  /**
   * Starts in {@code dir}, which the caller owns and removes: a second aggregator started in the same
   * directory after the first stopped finds its socket path and its state file.
   */
  static AggregatorProcess startIn(Path dir, Path jar, List<String> jvmOptions, List<String> flags)
      throws IOException {
    return start(dir, false, jar, jvmOptions, flags, Map.of());
  }

  private static AggregatorProcess start(Path dir, boolean ownsDir, Path jar, List<String> jvmOptions,
      List<String> flags, Map<String, String> env) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("aggregator jar " + jar + " does not exist; build it (mvn -pl aggregator -am package)"
          + " or point PIDLESS_AGGREGATOR_JAR at one");
    }
    Path socket = dir.resolve("p.sock");
    Path log = Files.createTempFile(dir, "aggregator", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "--socket", socket.toString(), "--listen", "127.0.0.1:0"));
    cmd.addAll(flags);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      URI uri = awaitMetricsUri(p, log);
      return new AggregatorProcess(p, dir, ownsDir, socket, log, uri);
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private static URI awaitMetricsUri(Process p, Path log) throws IOException {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      Matcher m = METRICS_AT.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) {
        return URI.create(m.group(1));
      }
      if (!p.isAlive()) {
        throw new IOException("aggregator exited with " + p.exitValue() + " before listening:\n" + tail(log));
      }
      sleep(20);
    }
    throw new IOException("aggregator printed no 'metrics at http://...' line within " + START_TIMEOUT_MS
        + " ms:\n" + tail(log));
  }

  /** Everything the aggregator has logged so far. */
  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  Path socket() {
    return socket;
  }

  URI metricsUri() {
    return metricsUri;
  }

  long pid() {
    return process.pid();
  }

  /** CPU time the aggregator process has used so far, all threads. */
  long cpuNanos() {
    return process.info().totalCpuDuration().orElseThrow(
        () -> new IllegalStateException("the OS does not report the aggregator's CPU time")).toNanos();
  }

  /** SIGTERM, then waits; a non-zero exit or a hang is a failure, with the log tail in the message. */
  void stop() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("aggregator did not stop within 30 s of SIGTERM:\n" + tail(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted while stopping the aggregator", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException("aggregator exited with " + process.exitValue() + " after SIGTERM:\n" + tail(log));
    }
  }

  /** Kills the process if {@link #stop()} was not called, and removes its directory. */
  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException exiting) {
      return; // the JVM is exiting: the hook kills and cleans up itself
    }
    deleteDir();
  }

  private void killAndClean() {
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
      deleteDir();
    } catch (IOException | InterruptedException e) {
      System.err.println("pidless-bench-ingest: could not remove " + dir + ": " + e + "; delete it by hand");
    }
  }

  private void deleteDir() throws IOException {
    if (!ownsDir) {
      Files.deleteIfExists(log);
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(f);
      }
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
