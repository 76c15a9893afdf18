package io.pidless.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** GETs on the aggregator's loopback HTTP port, bounded in time, so a hung aggregator fails a test instead of stalling the build. */
final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** A full aggregator's scrape takes a few seconds on a loaded 2-core machine; 30 s is a hang. */
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Http() {}

  /** GET {@code pathAndQuery} with {@code headers}; fails unless it answers 200. */
  static HttpResponse<byte[]> get(int port, String pathAndQuery, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(TIMEOUT);
    headers.forEach(req::header);
    HttpResponse<byte[]> resp = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (resp.statusCode() != 200) {
      throw new AssertionError("GET " + pathAndQuery + " answered HTTP " + resp.statusCode() + ": "
          + new String(resp.body(), StandardCharsets.UTF_8));
    }
    return resp;
  }
}
