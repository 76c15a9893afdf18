package io.pidless.aggregator;

import io.pidless.testsupport.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * A real Prometheus (Debian's {@code prometheus} binary) on 127.0.0.1 with its remote_write receiver
 * on, storing in a temporary directory: what the remote_write tests push to and query back. It can
 * be stopped and started again on the same port and storage, as a receiver that goes down and comes
 * back.
 *
 * <pre>{@code
 * try (PrometheusReceiver prom = PrometheusReceiver.start()) {
 *   String url = prom.writeUrl();
 *   List<Double> v = prom.query("jobs_total");
 * }
 * }</pre>
 */
final class PrometheusReceiver implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

  private final Path dir;
  private final int port;
  private Process process;

  private PrometheusReceiver(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static PrometheusReceiver start() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("pidless-prom");
    Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1h\n");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrometheusReceiver p = new PrometheusReceiver(dir, port);
    p.restart();
    return p;
  }

  /** The URL to give {@code --remote-write-url}. */
  String writeUrl() {
    return "http://127.0.0.1:" + port + "/api/v1/write";
  }

  /** Starts Prometheus (again) on the same port and storage, and waits until it is ready. */
  void restart() throws IOException, InterruptedException {
    process = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--web.enable-remote-write-receiver", "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log").toFile()))
        .start();
    try {
      Await.awaitTrue("prometheus ready on 127.0.0.1:" + port, Duration.ofSeconds(30), this::ready);
    } catch (AssertionError notReady) {
      throw new AssertionError(notReady.getMessage() + "; its log: " + log(), notReady);
    }
  }

  /** Whether it answers {@code /-/ready}; fails, with its log, if it exited. */
  private boolean ready() throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new AssertionError("prometheus exited " + process.exitValue() + ": " + log());
    }
    try {
      return get("/-/ready").statusCode() == 200;
    } catch (IOException notYet) {
      return false;   // not listening yet
    }
  }

  /** Stops Prometheus gracefully (its WAL keeps what it received); {@link #restart} brings it back. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** The sample values of an instant query's vector result, in Prometheus' order. */
  List<Double> query(String promql) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new AssertionError("query " + promql + " answered HTTP " + r.statusCode() + ": " + r.body());
    }
    List<Double> values = new ArrayList<>();
    Matcher m = VALUE.matcher(r.body());
    while (m.find()) {
      values.add(Double.parseDouble(m.group(1)));
    }
    return values;
  }

  /** Polls {@code promql} until it answers {@code expected}, for at most 15 s; returns that answer. */
  List<Double> awaitQuery(String promql, List<Double> expected) throws IOException, InterruptedException {
    return Await.awaitValue(promql + " = " + expected, Duration.ofSeconds(15), () -> query(promql), expected::equals);
  }

  String log() throws IOException {
    Path log = dir.resolve("log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
