package io.pidless.aggregator.remotewrite;

import io.pidless.protocol.Names;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where and how the aggregator pushes its merged series with Prometheus remote_write; off when
 * {@code urls} is empty. TLS is the JDK's: an https URL is checked against the JVM's trust store
 * ({@code -Djavax.net.ssl.trustStore=...} for a private CA).
 *
 * <pre>{@code
 * RemoteWriteConfig rw = RemoteWriteConfig.builder()
 *     .url("http://prometheus:9090/api/v1/write")
 *     .externalLabel("node=worker-17")
 *     .build();
 * }</pre>
 */
public record RemoteWriteConfig(List<URI> urls, Duration interval, SortedMap<String, String> externalLabels,
    String username, Path passwordFile, Path bearerTokenFile) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);

  public static Builder builder() {
    return new Builder();
  }

  public boolean enabled() {
    return !urls.isEmpty();
  }

  /** Builder in Caffeine's manner; {@code url} and {@code externalLabel} may be called repeatedly. */
  public static final class Builder {
    private final List<URI> urls = new ArrayList<>();
    private final SortedMap<String, String> labels = new TreeMap<>();
    private Duration interval;
    private String username;
    private Path passwordFile;
    private Path bearerTokenFile;

    private Builder() {}

    public Builder url(String url) {
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid remote write URL: " + url + " (" + e.getMessage() + ")");
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("Invalid remote write URL: " + url
            + " (expected http://HOST:PORT/PATH or https://..., e.g. http://prometheus:9090/api/v1/write)");
      }
      if (urls.contains(uri)) {
        throw new IllegalArgumentException("remote write URL " + url + " is given twice");
      }
      urls.add(uri);
      return this;
    }

    public Builder interval(Duration d) {
      if (interval != null) {
        throw new IllegalStateException("remote write interval was already set to " + interval);
      }
      if (d.toMillis() < 10) {
        throw new IllegalArgumentException("remote write interval must be at least 10ms, got " + d);
      }
      interval = d;
      return this;
    }

    /** {@code NAME=VALUE}, added to every pushed series that has no label of that name. */
    public Builder externalLabel(String nameValue) {
      int eq = nameValue.indexOf('=');
      String name = eq < 0 ? nameValue : nameValue.substring(0, eq);
      if (eq < 0 || !Names.isValidLabelName(name) || name.equals("le") || eq == nameValue.length() - 1) {
        throw new IllegalArgumentException("Invalid external label: " + nameValue + " (expected NAME=VALUE,"
            + " NAME matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __ and not le; VALUE not empty)");
      }
      if (labels.putIfAbsent(name, nameValue.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("external label " + name + " is given twice");
      }
      return this;
    }

    public Builder username(String name) {
      username = once(username, name, "remote write username");
      return this;
    }

    public Builder passwordFile(Path p) {
      passwordFile = once(passwordFile, p, "remote write password file");
      return this;
    }

    public Builder bearerTokenFile(Path p) {
      bearerTokenFile = once(bearerTokenFile, p, "remote write bearer token file");
      return this;
    }

    public RemoteWriteConfig build() {
      if ((username == null) != (passwordFile == null)) {
        throw new IllegalArgumentException("basic auth needs both --remote-write-username and"
            + " --remote-write-password-file");
      }
      if (username != null && bearerTokenFile != null) {
        throw new IllegalArgumentException("give basic auth or a bearer token file for remote write, not both");
      }
      if (urls.isEmpty() && (!labels.isEmpty() || username != null || bearerTokenFile != null || interval != null)) {
        throw new IllegalArgumentException("remote write options are given but no --remote-write-url");
      }
      return new RemoteWriteConfig(List.copyOf(urls), interval != null ? interval : DEFAULT_INTERVAL,
          Collections.unmodifiableSortedMap(new TreeMap<>(labels)), username, passwordFile, bearerTokenFile);
    }

    private static <T> T once(T current, T value, String what) {
      if (current != null) {
        throw new IllegalStateException(what + " was already set to " + current);
      }
      return value;
    }
  }
}
