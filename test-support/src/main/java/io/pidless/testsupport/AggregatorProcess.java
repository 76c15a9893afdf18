package io.pidless.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real aggregator jar as its own process, as a user or a deployment runs it. What it prints
 * (stdout and stderr) goes to a temp file, so a failing test can show what the aggregator said; every
 * wait is bounded, and closing kills the process if it still runs, as does this JVM's exit (a test run
 * or a benchmark stopped by Ctrl-C leaves no aggregator behind).
 *
 * <pre>{@code
 * try (TempSocketDir dir = new TempSocketDir();
 *     AggregatorProcess agg = AggregatorProcess.start(dir.socket(), "--ttl", "1s")) {
 *   double limit = agg.scrape().value("pidless_series_limit");
 *   assertEquals(0, agg.stop());   // SIGTERM: a clean exit
 * }
 * }</pre>
 */
public final class AggregatorProcess implements AutoCloseable {
  /** What the aggregator logs once its socket is bound and its HTTP port listens. */
  private static final Pattern READY = Pattern.compile("listening on unix:(.+?), metrics at http://[^ ]+:(\\d+)/metrics");
  private static final long WAIT_SECONDS = 30;

  private final AggregatorCommand command;
  private final Process process;
  private final Path log;
  private Path socket;
  private int port = -1;
  /** Deleted on close, when {@link #startOnTempSocket} made it. */
  private TempSocketDir ownDir;
  private final Thread killOnExit;

  private AggregatorProcess(AggregatorCommand command, Process process, Path log) {
    this.command = command;
    this.process = process;
    this.log = log;
    this.killOnExit = new Thread(this::kill, "kill-aggregator-" + process.pid());
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Starts {@code command} and does not wait: for a run meant to exit, e.g. on a bad flag. */
  public static AggregatorProcess launch(AggregatorCommand command) throws IOException {
    Path log = Files.createTempFile("pidless-aggregator", ".log");
    Process process = command.processBuilder().redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new AggregatorProcess(command, process, log);
  }

  /** Starts {@code command} and waits until it has logged its HTTP port and its socket file exists. */
  public static AggregatorProcess start(AggregatorCommand command) throws IOException, InterruptedException {
    AggregatorProcess p = launch(command);
    try {
      p.awaitReady();
      return p;
    } catch (AssertionError | IOException | InterruptedException e) {
      p.close();
      throw e;
    }
  }

  /** Starts the jar on {@code socket} and a free loopback port with {@code flags}, and waits until it serves. */
  public static AggregatorProcess start(Path socket, String... flags) throws IOException, InterruptedException {
    return start(AggregatorCommand.on(socket, flags));
  }

  /**
   * Starts the jar on a socket in its own {@link TempSocketDir}, deleted on close, with {@code flags}:
   * for a test that puts nothing but the socket there.
   */
  public static AggregatorProcess startOnTempSocket(String... flags) throws IOException, InterruptedException {
    return startOnTempSocket(c -> c, flags);
  }

  /**
   * As {@link #startOnTempSocket(String...)}, the command changed by {@code tune}, e.g. to another jar
   * or JVM options: {@code startOnTempSocket(c -> c.jar(jar).jvmOptions(List.of("-Xmx2g")), "--ttl", "1s")}.
   */
  public static AggregatorProcess startOnTempSocket(UnaryOperator<AggregatorCommand> tune, String... flags)
      throws IOException, InterruptedException {
    TempSocketDir dir = new TempSocketDir();
    try {
      AggregatorProcess p = start(tune.apply(AggregatorCommand.on(dir.socket(), flags)));
      p.ownDir = dir;
      return p;
    } catch (AssertionError | IOException | InterruptedException e) {
      dir.close();
      throw e;
    }
  }

  private void awaitReady() throws IOException, InterruptedException {
    String said = Await.awaitValue("the aggregator to log that it listens, with its socket file in place: " + command,
        Duration.ofSeconds(WAIT_SECONDS), this::outputWhileAlive, out -> {
          Matcher m = READY.matcher(out);
          return m.find() && Files.exists(Path.of(m.group(1)));
        });
    Matcher m = READY.matcher(said);
    m.find();
    socket = Path.of(m.group(1));
    port = Integer.parseInt(m.group(2));
  }

  /** What it printed so far; fails with it if the process has exited. */
  private String outputWhileAlive() throws IOException {
    boolean alive = process.isAlive();
    String out = output();
    if (!alive) {
      throw new AssertionError("aggregator exited " + process.exitValue() + " before it served: " + command + "\n" + out);
    }
    return out;
  }

  /** The HTTP port; only once {@link #start started}. */
  public int port() {
    requireStarted();
    return port;
  }

  /** The socket it listens on, as it logged it; only once {@link #start started}. */
  public Path socket() {
    requireStarted();
    return socket;
  }

  private void requireStarted() {
    if (port < 0) {
      throw new IllegalStateException("aggregator launched without waiting: it has no known socket or port");
    }
  }

  public long pid() {
    return process.pid();
  }

  /** All it printed so far, stdout and stderr interleaved. */
  public String output() throws IOException {
    return Files.readString(log);
  }

  /** One real scrape of {@code /metrics}, parsed. */
  public Scrape scrape() throws IOException, InterruptedException {
    return Scrape.of(port());
  }

  /** GET on the HTTP port, e.g. the probe path {@code /-/healthy}; fails unless it answers 200. */
  public String get(String path) throws IOException, InterruptedException {
    return new String(Http.get(port(), path, Map.of()).body(), StandardCharsets.UTF_8);
  }

  /** SIGTERM, as Kubernetes and systemd stop it; returns the exit code. */
  public int stop() throws IOException, InterruptedException {
    process.destroy();
    return waitFor();
  }

  /** SIGTERM, and fails, with what it printed, unless it exits 0 (a clean stop) within 30 s. */
  public void stopCleanly() throws IOException, InterruptedException {
    int code = stop();
    if (code != 0) {
      throw new AssertionError("aggregator exited " + code + " after SIGTERM: " + command + "\n" + output());
    }
  }

  /** SIGKILL, as a crash or the OOM killer would end it: nothing is saved. */
  public void crash() {
    kill();
  }

  /** Waits for the exit and returns its code; fails, killing it, if it still runs after 30 s. */
  public int waitFor() throws IOException, InterruptedException {
    if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
      kill();
      throw new AssertionError("aggregator did not exit within " + WAIT_SECONDS + " s: " + command + "\n" + output());
    }
    return process.exitValue();
  }

  /**
   * Kills the process if it still runs (SIGKILL: use {@link #stop} for a graceful exit) and deletes its
   * output, and its socket directory if {@link #startOnTempSocket} made it.
   */
  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      kill();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException exiting) {
      // this JVM is exiting: the hook runs anyway, and finds the process gone
    }
    Files.deleteIfExists(log);
    if (ownDir != null) {
      ownDir.close();
    }
  }

  /** SIGKILL, and a bounded wait for the process to be gone, so its socket directory can be deleted. */
  private void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
