package io.pidless.aggregator.config;

import java.time.Duration;

/**
 * The value each option takes when no flag or environment variable sets it, for those whose default is
 * one value rather than a share of the heap or a path found at start. {@link AggregatorConfig.Builder}
 * falls back to these, and {@link CommandLine}'s {@code --help} shows them, so the two cannot disagree;
 * the name, label and frame limits are {@link AggregatorConfig.Limits#DEFAULTS}.
 *
 * <pre>{@code
 * DurationParser.format(Defaults.TTL);   // "10m", as --help shows it
 * }</pre>
 */
public final class Defaults {
  /** The port of {@code /metrics}, on all interfaces. */
  public static final int PORT = 9746;
  /** The state file's name beside the socket, unless {@code --state-file} says otherwise. */
  public static final String STATE_FILE_NAME = "pidless.state";
  /** Owner and group may connect. */
  public static final String SOCKET_MODE = "0660";
  public static final Duration TTL = Duration.ofMinutes(10);
  public static final Duration SESSION_TTL = Duration.ofMinutes(10);
  public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
  public static final int MAX_CONNECTIONS = 4096;
  /** At most {@link #MAX_CONNECTIONS}, or the {@code --max-connections} given when that is lower. */
  public static final int MAX_CONNECTIONS_PER_UID = 1024;
  public static final Duration FRAME_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  public static final int MAX_CONCURRENT_SCRAPES = 1;
  public static final boolean JVM_METRICS = true;

  private Defaults() {}
}
