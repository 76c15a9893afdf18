package io.pidless.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real aggregator jar run as a separate process on a short temp socket path, for end-to-end
 * tests. The jar comes from {@code PIDLESS_AGGREGATOR_JAR}, else the system property
 * {@code pidless.aggregator.jar} (the pom points it at {@code ../aggregator/target}).
 */
public final class AggregatorProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("metrics at http://([^:/]+):(\\d+)/metrics");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final Path socket;
  private final List<String> extraArgs;
  private Process process;
  private Path log;
  private int port;
  private int starts;

  private AggregatorProcess(Path dir, List<String> extraArgs) {
    this.dir = dir;
    this.socket = dir.resolve("p.sock");
    this.extraArgs = extraArgs;
  }

  /** Starts an aggregator on a new temp socket. */
  public static AggregatorProcess start(String... extraArgs) throws IOException, InterruptedException {
    AggregatorProcess a = new AggregatorProcess(Files.createTempDirectory(Path.of("/tmp"), "pl"), List.of(extraArgs));
    a.startAgain();
    return a;
  }

  /** A temp directory with a socket path where nothing listens yet; call {@link #startAgain()} later. */
  public static AggregatorProcess notStarted() throws IOException {
    return new AggregatorProcess(Files.createTempDirectory(Path.of("/tmp"), "pl"), List.of());
  }

  public static Path jar() {
    String env = System.getenv("PIDLESS_AGGREGATOR_JAR");
    String prop = System.getProperty("pidless.aggregator.jar", "../aggregator/target/pidless-aggregator.jar");
    Path jar = Path.of(env != null && !env.isBlank() ? env : prop);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("aggregator jar not found at " + jar.toAbsolutePath()
          + ": run `mvn package` for the aggregator module or set PIDLESS_AGGREGATOR_JAR");
    }
    return jar;
  }

  public Path socket() {
    return socket;
  }

  /** Starts the aggregator (again) on the same socket and waits until it listens. */
  public void startAgain() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-jar", jar().toString(),
        "--socket", socket.toString(), "--listen", "127.0.0.1:0"));
    cmd.addAll(extraArgs);
    log = dir.resolve("aggregator-" + (++starts) + ".log");
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find() && Files.exists(socket)) {
        port = Integer.parseInt(m.group(2));
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("aggregator exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("aggregator did not start within 30 s: " + Files.readString(log));
  }

  /** SIGTERM, then waits for the graceful exit; returns the exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("aggregator did not stop within 30 s of SIGTERM");
    }
    return process.exitValue();
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** GET /metrics and parse it. */
  public Scrape scrape() throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /metrics answered " + r.statusCode() + ": " + r.body());
    }
    return Scrape.parse(r.body());
  }

  public String log() throws IOException {
    return log == null ? "" : Files.readString(log);
  }

  @Override
  public void close() throws IOException {
    if (isRunning()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
