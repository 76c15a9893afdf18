package io.pidless.aggregator.config;

import io.pidless.aggregator.remotewrite.RemoteWriteConfig;
import io.pidless.protocol.DefaultSocket;
import io.pidless.protocol.Protocol;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the aggregator can be told, with the defaults a node gets when nobody says anything
 * ({@link Defaults}, {@link Limits#DEFAULTS}, and the heap shares of {@link Budgets}). Built with
 * {@link #builder()}; {@link CommandLine} fills a builder from flags and environment. Longer than this
 * repository's 300 lines because its builder has one setter per flag, each checking its own value the
 * way Caffeine's builder does; split apart, a flag's field, check and default would be read in three
 * places instead of one.
 *
 * <pre>{@code
 * AggregatorConfig config = AggregatorConfig.builder()
 *     .socket(Path.of("/tmp/p/pidless.sock"))
 *     .listen(new InetSocketAddress("127.0.0.1", 0))
 *     .ttl(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 */
public record AggregatorConfig(
    Path socket,
    Set<PosixFilePermission> socketMode,
    Path stateFile,
    InetSocketAddress listen,
    Duration ttl,
    Duration sessionTtl,
    Duration shutdownTimeout,
    Limits limits,
    Budgets budgets,
    int maxConnections,
    int maxConnectionsPerUid,
    Duration frameTimeout,
    Duration idleTimeout,
    Duration httpTimeout,
    int maxConcurrentScrapes,
    int ioThreads,
    boolean jvmMetrics,
    RemoteWriteConfig remoteWrite) {

  public static Builder builder() {
    return new Builder();
  }

  /** Bounds on what one definition or frame may hold; each rejection is counted by reason. */
  public record Limits(int maxSeries, int maxLabels, int maxNameLength, int maxLabelValueLength, int maxFrameBytes) {
    public static final Limits DEFAULTS = new Limits(100_000, 30, 256, 1024, Protocol.DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * Memory budgets, so that no client can run the heap out: each bounds something a client can make
   * the aggregator hold, and each refusal is counted (docs/PROTOCOL.md, "Memory budgets"). Unless a
   * flag sets one, it is a share of the heap ({@link Runtime#maxMemory()}) divided by what one unit
   * costs, as measured by the tests named on each constant.
   */
  public record Budgets(long maxSessions, int maxIdsPerConnection, long maxIds, long maxSeriesBytes,
      int maxUnreadBytes) {
    /** Heap one remembered session takes at most (SessionRegistryTest measures it). */
    public static final int BYTES_PER_SESSION = 256;
    /** Heap one bound series id takes at most (SeriesTableTest measures it). */
    public static final int BYTES_PER_ID = 128;
    /** Floor of the per-connection budget for answers left unread. */
    public static final int MIN_UNREAD_BYTES = 64 * 1024;

    static long sessionsFor(long heap) {
      return Math.max(1, heap / 8 / BYTES_PER_SESSION);
    }

    static int idsPerConnectionFor(long heap) {
      return (int) Math.max(1, Math.min(Protocol.MAX_IDS_PER_CONNECTION, heap / 16 / BYTES_PER_ID));
    }

    static long idsFor(long heap) {
      return Math.max(1, heap / 4 / BYTES_PER_ID);
    }

    static long seriesBytesFor(long heap) {
      return heap / 8;
    }

    static int unreadBytesFor(long heap, int maxConnections) {
      return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_UNREAD_BYTES, heap / 64 / maxConnections));
    }
  }

  /** Builder in Caffeine's manner: each option once, bad values rejected with the value named. */
  public static final class Builder {
    private Path socket;
    private Set<PosixFilePermission> socketMode;
    private Path stateFile;
    private boolean stateFileSet;
    private InetSocketAddress listen;
    private Duration ttl;
    private Duration sessionTtl;
    private Duration shutdownTimeout;
    private Integer maxSeries;
    private Integer maxLabels;
    private Integer maxNameLength;
    private Integer maxLabelValueLength;
    private Integer maxFrameBytes;
    private Integer maxConnections;
    private Long maxSessions;
    private Integer maxIdsPerConnection;
    private Long maxIds;
    private Long maxSeriesBytes;
    private Integer maxUnreadBytes;
    private long heap = Runtime.getRuntime().maxMemory();
    private Integer maxConnectionsPerUid;
    private Duration frameTimeout;
    private Duration idleTimeout;
    private Duration httpTimeout;
    private Integer maxConcurrentScrapes;
    private Integer ioThreads;
    private Boolean jvmMetrics;
    private final RemoteWriteConfig.Builder remoteWrite = RemoteWriteConfig.builder();

    private Builder() {}

    /** Remote_write's own options; off unless a URL is given. */
    public RemoteWriteConfig.Builder remoteWrite() {
      return remoteWrite;
    }

    public Builder socket(Path path) {
      socket = once(socket, path, "socket");
      if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
        throw new IllegalArgumentException("socket path " + path + " is longer than the 107 bytes a Unix socket "
            + "path may have; pass a shorter --socket");
      }
      return this;
    }

    /** Octal mode such as {@code "0660"}. */
    public Builder socketMode(String octal) {
      socketMode = once(socketMode, permissions(octal), "socket mode");
      return this;
    }

    /**
     * Where a graceful stop saves the merged series and sessions for the next start; null keeps
     * nothing across restarts. Default: {@value Defaults#STATE_FILE_NAME} beside the socket.
     */
    public Builder stateFile(Path path) {
      if (stateFileSet) {
        throw new IllegalStateException("state file was already set to " + stateFile);
      }
      stateFileSet = true;
      stateFile = path;
      return this;
    }

    /** {@code HOST:PORT}, {@code :PORT} (all interfaces) or {@code [v6]:PORT}. */
    public Builder listen(String hostPort) {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("Invalid listen address: " + hostPort + " (expected HOST:PORT or :PORT)");
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Invalid listen port in " + hostPort);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Invalid listen port in " + hostPort + " (0..65535)");
      }
      return listen(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port));
    }

    public Builder listen(InetSocketAddress address) {
      listen = once(listen, address, "listen address");
      return this;
    }

    public Builder ttl(Duration d) {
      ttl = once(ttl, positive(d, "ttl"), "ttl");
      return this;
    }

    public Builder sessionTtl(Duration d) {
      sessionTtl = once(sessionTtl, positive(d, "session ttl"), "session ttl");
      return this;
    }

    public Builder shutdownTimeout(Duration d) {
      shutdownTimeout = once(shutdownTimeout, d, "shutdown timeout");
      return this;
    }

    public Builder maxSeries(int n) {
      maxSeries = once(maxSeries, atLeast(n, 1, "max series"), "max series");
      return this;
    }

    public Builder maxLabels(int n) {
      maxLabels = once(maxLabels, atLeast(n, 0, "max labels"), "max labels");
      return this;
    }

    public Builder maxNameLength(int n) {
      maxNameLength = once(maxNameLength, atLeast(n, 1, "max name length"), "max name length");
      return this;
    }

    public Builder maxLabelValueLength(int n) {
      maxLabelValueLength = once(maxLabelValueLength, atLeast(n, 1, "max label value length"), "max label value length");
      return this;
    }

    public Builder maxFrameBytes(int n) {
      maxFrameBytes = once(maxFrameBytes, atLeast(n, 1024, "max frame bytes"), "max frame bytes");
      return this;
    }

    public Builder maxConnections(int n) {
      maxConnections = once(maxConnections, atLeast(n, 1, "max connections"), "max connections");
      return this;
    }

    public Builder maxSessions(long n) {
      maxSessions = once(maxSessions, atLeast(n, 1, "max sessions"), "max sessions");
      return this;
    }

    public Builder maxIdsPerConnection(int n) {
      if (n > Protocol.MAX_IDS_PER_CONNECTION) {
        throw new IllegalArgumentException("max ids per connection must be at most "
            + Protocol.MAX_IDS_PER_CONNECTION + " (the protocol's bound), got " + n);
      }
      maxIdsPerConnection = once(maxIdsPerConnection, atLeast(n, 1, "max ids per connection"),
          "max ids per connection");
      return this;
    }

    public Builder maxIds(long n) {
      maxIds = once(maxIds, atLeast(n, 1, "max ids"), "max ids");
      return this;
    }

    public Builder maxSeriesBytes(long n) {
      maxSeriesBytes = once(maxSeriesBytes, atLeast(n, 1024, "max series bytes"), "max series bytes");
      return this;
    }

    public Builder maxUnreadBytes(int n) {
      maxUnreadBytes = once(maxUnreadBytes, atLeast(n, 1024, "max unread bytes"), "max unread bytes");
      return this;
    }

    /** The heap the budgets not set are shares of; the JVM's own {@code -Xmx} unless a test says otherwise. */
    public Builder heap(long bytes) {
      heap = atLeast(bytes, 1 << 20, "heap");
      return this;
    }

    /** Connections one peer uid (SO_PEERCRED) may hold; at most {@link #maxConnections}. */
    public Builder maxConnectionsPerUid(int n) {
      maxConnectionsPerUid = once(maxConnectionsPerUid, atLeast(n, 1, "max connections per uid"),
          "max connections per uid");
      return this;
    }

    /** How long a frame begun, or a new connection's HELLO, may take to arrive whole. */
    public Builder frameTimeout(Duration d) {
      frameTimeout = once(frameTimeout, positive(d, "frame timeout"), "frame timeout");
      return this;
    }

    /** How long a connection holding no live gauge value may send nothing before it is closed. */
    public Builder idleTimeout(Duration d) {
      idleTimeout = once(idleTimeout, positive(d, "idle timeout"), "idle timeout");
      return this;
    }

    /** How long an HTTP client may take to send a request or take a response. */
    public Builder httpTimeout(Duration d) {
      httpTimeout = once(httpTimeout, positive(d, "http timeout"), "http timeout");
      return this;
    }

    public Builder maxConcurrentScrapes(int n) {
      maxConcurrentScrapes = once(maxConcurrentScrapes, atLeast(n, 1, "max concurrent scrapes"),
          "max concurrent scrapes");
      return this;
    }

    public Builder ioThreads(int n) {
      ioThreads = once(ioThreads, atLeast(n, 1, "io threads"), "io threads");
      return this;
    }

    public Builder jvmMetrics(boolean on) {
      jvmMetrics = once(jvmMetrics, on, "jvm metrics");
      return this;
    }

    public AggregatorConfig build() {
      Limits d = Limits.DEFAULTS;
      Path socketPath = socket != null ? socket : DefaultSocket.forThisProcess();
      int connections = maxConnections != null ? maxConnections : Defaults.MAX_CONNECTIONS;
      int perUid = maxConnectionsPerUid != null ? maxConnectionsPerUid
          : Math.min(Defaults.MAX_CONNECTIONS_PER_UID, connections);
      if (perUid > connections) {
        throw new IllegalArgumentException("max connections per uid (" + perUid + ") exceeds max connections ("
            + connections + "); lower --max-connections-per-uid or raise --max-connections");
      }
      return new AggregatorConfig(
          socketPath,
          socketMode != null ? socketMode : permissions(Defaults.SOCKET_MODE),
          stateFileSet ? stateFile : socketPath.resolveSibling(Defaults.STATE_FILE_NAME),
          listen != null ? listen : new InetSocketAddress(Defaults.PORT),
          ttl != null ? ttl : Defaults.TTL,
          sessionTtl != null ? sessionTtl : Defaults.SESSION_TTL,
          shutdownTimeout != null ? shutdownTimeout : Defaults.SHUTDOWN_TIMEOUT,
          new Limits(
              maxSeries != null ? maxSeries : d.maxSeries(),
              maxLabels != null ? maxLabels : d.maxLabels(),
              maxNameLength != null ? maxNameLength : d.maxNameLength(),
              maxLabelValueLength != null ? maxLabelValueLength : d.maxLabelValueLength(),
              maxFrameBytes != null ? maxFrameBytes : d.maxFrameBytes()),
          budgets(connections),
          connections,
          perUid,
          frameTimeout != null ? frameTimeout : Defaults.FRAME_TIMEOUT,
          idleTimeout != null ? idleTimeout : Defaults.IDLE_TIMEOUT,
          httpTimeout != null ? httpTimeout : Defaults.HTTP_TIMEOUT,
          maxConcurrentScrapes != null ? maxConcurrentScrapes : Defaults.MAX_CONCURRENT_SCRAPES,
          ioThreads != null ? ioThreads : Runtime.getRuntime().availableProcessors(),
          jvmMetrics != null ? jvmMetrics : Defaults.JVM_METRICS,
          remoteWrite.build());
    }

    private Budgets budgets(int connections) {
      return new Budgets(
          maxSessions != null ? maxSessions : Budgets.sessionsFor(heap),
          maxIdsPerConnection != null ? maxIdsPerConnection : Budgets.idsPerConnectionFor(heap),
          maxIds != null ? maxIds : Budgets.idsFor(heap),
          maxSeriesBytes != null ? maxSeriesBytes : Budgets.seriesBytesFor(heap),
          maxUnreadBytes != null ? maxUnreadBytes : Budgets.unreadBytesFor(heap, connections));
    }

    private static Set<PosixFilePermission> permissions(String octal) {
      if (!octal.matches("0?[0-7]{3}")) {
        throw new IllegalArgumentException("Invalid socket mode: " + octal + " (expected octal like 0660)");
      }
      int bits = Integer.parseInt(octal, 8);
      StringBuilder rwx = new StringBuilder();
      for (int shift = 6; shift >= 0; shift -= 3) {
        int b = bits >> shift;
        rwx.append((b & 4) != 0 ? 'r' : '-').append((b & 2) != 0 ? 'w' : '-').append((b & 1) != 0 ? 'x' : '-');
      }
      return PosixFilePermissions.fromString(rwx.toString());
    }

    private static <T> T once(T current, T value, String what) {
      if (current != null) {
        throw new IllegalStateException(what + " was already set to " + current);
      }
      return java.util.Objects.requireNonNull(value, what);
    }

    private static Duration positive(Duration d, String what) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + DurationParser.format(d));
      }
      return d;
    }

    private static int atLeast(int n, int min, String what) {
      return (int) atLeast((long) n, min, what);
    }

    private static long atLeast(long n, long min, String what) {
      if (n < min) {
        throw new IllegalArgumentException(what + " must be at least " + min + ", got " + n);
      }
      return n;
    }
  }
}
