package io.pidless.aggregator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real aggregator jar as its own process, as a user runs it: {@code java -jar pidless-aggregator.jar}. */
public final class AggregatorProcess implements AutoCloseable {
  private static final Pattern METRICS_URL = Pattern.compile("metrics at http://[^:]+:(\\d+)/metrics");

  private final Process process;
  private final Path log;
  private int port = -1;

  private AggregatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static Path jar() {
    String jar = System.getProperty("pidless.jar", "target/pidless-aggregator.jar");
    Path p = Path.of(jar);
    if (!Files.exists(p)) {
      throw new IllegalStateException("aggregator jar " + p.toAbsolutePath() + " not found; run mvn package first");
    }
    return p;
  }

  /** Starts the jar with {@code args}; does not wait. */
  public static AggregatorProcess launch(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile("pidless-agg", ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new AggregatorProcess(p, log);
  }

  /** Starts the jar on {@code socket} and a free loopback port and waits until it serves. */
  public static AggregatorProcess start(Path socket, String... extra) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--socket", socket.toString(), "--listen", "127.0.0.1:0"));
    args.addAll(List.of(extra));
    AggregatorProcess p = launch(args.toArray(String[]::new));
    p.awaitStarted();
    return p;
  }

  public void awaitStarted() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Matcher m = METRICS_URL.matcher(output());
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("aggregator exited " + process.exitValue() + ":\n" + output());
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("aggregator did not start within 30 s:\n" + output());
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String output() throws IOException {
    return Files.readString(log);
  }

  public Scrape scrape() throws IOException, InterruptedException {
    return Scrape.of(port);
  }

  /** Sends SIGTERM and returns the exit code. */
  public int terminate() throws InterruptedException {
    process.destroy();
    return waitFor();
  }

  /** SIGKILL, as a crash or the OOM killer would: nothing is saved. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  public int waitFor() throws InterruptedException {
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("aggregator did not exit within 30 s");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws IOException {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(log);
  }
}
