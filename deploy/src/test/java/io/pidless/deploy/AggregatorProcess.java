package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real aggregator jar in its own JVM, started the way a deployment starts it: settings in
 * {@code PIDLESS_*} environment variables and JVM options before {@code -jar}. The jar comes from
 * {@code -Dpidless.aggregator.jar}, else {@code PIDLESS_AGGREGATOR_JAR}, else the repository's
 * {@code aggregator/target/pidless-aggregator.jar}.
 *
 * <pre>{@code
 * try (AggregatorProcess agg = AggregatorProcess.start(Map.of("PIDLESS_SOCKET", sock.toString(),
 *     "PIDLESS_LISTEN", "127.0.0.1:0"), List.of("-Xmx64m"))) {
 *   Exposition metrics = agg.scrape();
 *   assertEquals(0, agg.stop());
 * }
 * }</pre>
 */
final class AggregatorProcess implements AutoCloseable {
  private static final Pattern METRICS_URL = Pattern.compile("metrics at http://[^ ]+:(\\d+)/metrics");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final long START_SECONDS = 30;

  private final Process process;
  private final Path log;
  private final int port;

  private AggregatorProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static Path jar() {
    String configured = System.getProperty("pidless.aggregator.jar", System.getenv("PIDLESS_AGGREGATOR_JAR"));
    Path jar = configured == null || configured.isEmpty()
        ? DeployFiles.repoDir().resolve("aggregator/target/pidless-aggregator.jar")
        : Path.of(configured);
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError("aggregator jar " + jar + " not found: build it with"
          + " `mvn -pl aggregator -am package`, or set PIDLESS_AGGREGATOR_JAR to a built jar");
    }
    return jar;
  }

  /**
   * Starts the jar with exactly {@code env} as its {@code PIDLESS_*}/JVM environment (the rest of
   * this JVM's environment is dropped, so stray {@code PIDLESS_*} variables cannot leak in) and
   * waits until it serves /metrics.
   */
  static AggregatorProcess start(Map<String, String> env, List<String> jvmOptions) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar().toString()));
    Path log = Files.createTempFile("pidless-deploy-agg", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PIDLESS_") || k.startsWith("JDK_JAVA_OPTIONS")
        || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().putAll(env);
    Process process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
    while (System.nanoTime() < deadline) {
      Matcher m = METRICS_URL.matcher(Files.readString(log));
      if (m.find()) {
        return new AggregatorProcess(process, log, Integer.parseInt(m.group(1)));
      }
      if (!process.isAlive()) {
        String out = Files.readString(log);
        Files.deleteIfExists(log);
        throw new AssertionError("aggregator exited " + process.exitValue() + " on start: " + cmd + "\n" + out);
      }
      Thread.sleep(20);
    }
    process.destroyForcibly();
    throw new AssertionError("aggregator did not start within " + START_SECONDS + " s:\n" + Files.readString(log));
  }

  long pid() {
    return process.pid();
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  /** One real scrape of /metrics, parsed. */
  Exposition scrape() throws IOException, InterruptedException {
    return Exposition.parse(get("/metrics"));
  }

  /** GET on the metrics port; fails unless it answers 200. */
  String get(String path) throws IOException, InterruptedException {
    return new String(get(path, Map.of()), StandardCharsets.UTF_8);
  }

  /** GET with request headers (Accept, Accept-Encoding); the raw body. */
  byte[] get(String path, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    headers.forEach(req::header);
    HttpResponse<byte[]> resp = HTTP.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, resp.statusCode(), "GET " + path + " answered " + resp.statusCode());
    return resp.body();
  }

  /** SIGTERM, as Kubernetes and systemd stop it; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(START_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("aggregator did not exit within " + START_SECONDS + " s of SIGTERM");
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
