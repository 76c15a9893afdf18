package io.pidless.aggregator.remotewrite;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one snappy-compressed {@code WriteRequest} with the headers remote_write 1.0 requires, through
 * the JDK's HTTP client (TLS included). Credentials are read from their files at every request, so a
 * rotated token is picked up without a restart.
 *
 * <pre>{@code
 * RemoteWriteClient client = new RemoteWriteClient(URI.create("http://127.0.0.1:9090/api/v1/write"), null, null, null);
 * RemoteWriteClient.Answer a = client.post(SnappyBlock.compress(body), Duration.ofSeconds(10));
 * }</pre>
 */
final class RemoteWriteClient {
  /** The receiver's answer: an HTTP status and the start of its body, or status 0 and why none came. */
  record Answer(int status, String message) {
    boolean ok() {
      return status / 100 == 2;
    }

    /** 5xx, 429 and no answer at all may succeed later; any other 4xx will not. */
    boolean retryable() {
      return status == 0 || status == 429 || status / 100 == 5;
    }
  }

  private static final int MAX_MESSAGE = 512;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI url;
  private final String username;
  private final Path passwordFile;
  private final Path bearerTokenFile;

  RemoteWriteClient(URI url, String username, Path passwordFile, Path bearerTokenFile) {
    this.url = url;
    this.username = username;
    this.passwordFile = passwordFile;
    this.bearerTokenFile = bearerTokenFile;
  }

  /** Sends {@code compressed}; waits at most {@code timeout} for the answer. */
  Answer post(byte[] compressed, Duration timeout) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Encoding", "snappy")
        .header("Content-Type", "application/x-protobuf")
        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
        .header("User-Agent", "pidless-aggregator")
        .POST(HttpRequest.BodyPublishers.ofByteArray(compressed));
    try {
      String auth = authorization();
      if (auth != null) {
        request.header("Authorization", auth);
      }
    } catch (IOException e) {
      return new Answer(0, "cannot read the credentials: " + e.getMessage()
          + " (check --remote-write-password-file / --remote-write-bearer-token-file)");
    }
    CompletableFuture<HttpResponse<String>> sent = http.sendAsync(request.build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      HttpResponse<String> r = sent.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      String body = r.body().strip();
      return new Answer(r.statusCode(), body.length() > MAX_MESSAGE ? body.substring(0, MAX_MESSAGE) + "..." : body);
    } catch (ExecutionException e) {
      return new Answer(0, String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      sent.cancel(true);
      return new Answer(0, "no answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      sent.cancel(true);
      throw e;
    }
  }

  private String authorization() throws IOException {
    if (bearerTokenFile != null) {
      return "Bearer " + Files.readString(bearerTokenFile, StandardCharsets.UTF_8).strip();
    }
    if (username != null) {
      String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
      return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
    return null;
  }
}
