package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.TempSocketDir;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answers Prometheus will not give on demand, from a JDK {@link HttpServer} on 127.0.0.1: a 4xx
 * is counted, logged with the receiver's message and never retried; 5xx and 429 are retried with the
 * very same body until it gets through. The real jar runs with deploy/'s JVM options.
 */
class RemoteWriteErrorsIT {
  /** One request as the receiver saw it. */
  private record Received(byte[] body, Map<String, List<String>> headers) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;

  /** Answers the n-th request (from 0) with {@code statuses[min(n, last)]}, and a message for errors. */
  private String receiver(int... statuses) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger n = new AtomicInteger();
    server.createContext("/api/v1/write", exchange -> {
      received.add(new Received(exchange.getRequestBody().readAllBytes(), Map.copyOf(exchange.getRequestHeaders())));
      int status = statuses[Math.min(n.getAndIncrement(), statuses.length - 1)];
      byte[] message = (status == 400 ? "out of order sample" : status == 204 ? "" : "try again later")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, message.length == 0 ? -1 : message.length);
      exchange.getResponseBody().write(message);
      exchange.close();
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
  }

  @AfterEach
  void stopReceiver() {
    server.stop(0);
  }

  private static AggregatorProcess aggregator(TempSocketDir dir, String url, String interval) throws Exception {
    AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket(), "--remote-write-url", url,
        "--remote-write-interval", interval).deployed());
    try (TestClient c = new TestClient(dir.socket())) {
      c.hello();
      c.counter(1, "rw_errors_total").add(1, 1, 3).sendAndAck(1);
    }
    return p;
  }

  @Test
  void a400IsCountedLoggedWithTheReceiversMessageAndNeverRetried() throws Exception {
    String url = receiver(400);
    try (TempSocketDir dir = new TempSocketDir(); AggregatorProcess p = aggregator(dir, url, "300ms")) {
      String rejected = "pidless_remote_write_failures_total{url=\"" + url + "\",reason=\"rejected\"}";
      RemoteWriteIT.awaitScrape(p, rejected, 2);
      // A push is pending while it is sent, every 300 ms; dropped, the gauge falls back to 0 between
      // pushes, where a queued one would hold it at 2 for good.
      String pending = "pidless_remote_write_pending_samples{url=\"" + url + "\"}";
      Await.awaitValue(pending + " == 0 (dropped, not queued)", Duration.ofSeconds(15),
          () -> p.scrape().value(pending), v -> v == 0);
      assertEquals(0, p.scrape().value("pidless_remote_write_samples_sent_total{url=\"" + url + "\"}"));
      assertTrue(p.output().contains("remote write to " + url + " rejected a push of 2 samples (HTTP 400: out of"
          + " order sample); dropped without retry"), p.output());
      List<byte[]> bodies = new ArrayList<>();
      received.forEach(r -> bodies.add(r.body()));
      for (int i = 1; i < bodies.size(); i++) {
        assertFalse(Arrays.equals(bodies.get(i - 1), bodies.get(i)), "request " + i + " repeats the one before");
      }
      Map<String, List<String>> h = received.get(0).headers();
      assertEquals(List.of("snappy"), h.get("Content-encoding"));
      assertEquals(List.of("application/x-protobuf"), h.get("Content-type"));
      assertEquals(List.of("0.1.0"), h.get("X-prometheus-remote-write-version"));
      assertEquals(0, p.stop());
      assertTrue(p.output().contains("saved 1 series and 1 sessions to "), p.output());
      assertTrue(p.output().contains("final remote write push rejected by [" + url + "]"), p.output());
      assertFalse(p.output().contains("final remote write push delivered"), p.output());
      assertFalse(p.output().contains("undelivered remote write"), "a rejected push is not kept: " + p.output());
    }
  }

  @Test
  void a503AndA429AreRetriedWithTheSameBodyUntilItGetsThrough() throws Exception {
    String url = receiver(503, 429, 204);
    try (TempSocketDir dir = new TempSocketDir(); AggregatorProcess p = aggregator(dir, url, "1h")) {
      assertEquals(List.of(), received, "nothing is pushed before the interval or SIGTERM");
      assertEquals(0, p.stop());
      assertEquals(3, received.size(), p.output());
      assertTrue(Arrays.equals(received.get(0).body(), received.get(1).body())
          && Arrays.equals(received.get(1).body(), received.get(2).body()), "a retry re-sends the same push");
      assertTrue(p.output().contains("remote write to " + url + " failed (HTTP 503: try again later); retrying"),
          p.output());
      assertTrue(p.output().contains("delivered again after 2 failed attempts"), p.output());
      assertTrue(p.output().contains("final remote write push delivered to " + url), p.output());
    }
  }
}
