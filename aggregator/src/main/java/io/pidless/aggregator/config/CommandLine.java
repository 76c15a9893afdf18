package io.pidless.aggregator.config;

import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.remotewrite.RemoteWriteConfig;
import io.pidless.protocol.DefaultSocket;
import io.pidless.protocol.ProcessUser;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Reads {@code --flag value} / {@code --flag=value} arguments into an {@link AggregatorConfig}. Every
 * flag falls back to an environment variable ({@code --max-series} ← {@code PIDLESS_MAX_SERIES}), so
 * Kubernetes and systemd can configure the daemon without a command line.
 *
 * <pre>{@code
 * AggregatorConfig c = CommandLine.parse(new String[] {"--ttl", "5m"}, System.getenv());
 * }</pre>
 */
public final class CommandLine {

  /**
   * One flag: its value's name in {@code --help}, the help text, and its default as {@code --help} and
   * README's flag table show it, in place of the help's {@code %s}; null where the help says in words
   * what the default is (a path found at start, a share of the heap).
   */
  record Flag(String name, String arg, String help, String shownDefault,
      BiConsumer<AggregatorConfig.Builder, String> apply) {
    String env() {
      return "PIDLESS_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    String shownHelp() {
      return shownDefault == null ? help : help.replace("%s", shownDefault);
    }
  }

  /** Every flag, in {@code --help}'s order. */
  static final List<Flag> FLAGS = List.of(
      new Flag("socket", "PATH", "Unix socket that workers connect to (default: /run/pidless/pidless.sock as"
          + " root, else $XDG_RUNTIME_DIR/pidless/pidless.sock, else /tmp/pidless/pidless.sock). Its directory"
          + " must be this user's or root's and not writable by group or others; a missing one is created", null,
          (b, v) -> b.socket(Path.of(v))),
      new Flag("socket-mode", "OCTAL", "permissions of the socket file (default %s: owner and group may"
          + " connect); a socket directory the aggregator creates lets the same users traverse it",
          Defaults.SOCKET_MODE, AggregatorConfig.Builder::socketMode),
      new Flag("state-file", "PATH", "on SIGTERM, save the merged series and sessions here for the next"
          + " start, so a restart neither resets counters nor loses a delta (default "
          + Defaults.STATE_FILE_NAME + " beside the socket; off: keep nothing)", null,
          (b, v) -> b.stateFile(v.equals("off") ? null : Path.of(v))),
      new Flag("listen", "HOST:PORT", "address of the /metrics endpoint (default %s, all interfaces, as exporters"
          + " listen, so Prometheus can scrape the node; 127.0.0.1:" + Defaults.PORT + " keeps it on the node)",
          ":" + Defaults.PORT, AggregatorConfig.Builder::listen),
      new Flag("ttl", "DURATION", "remove a series nobody wrote for this long, at most ttl/64"
          + " later (default %s)", DurationParser.format(Defaults.TTL),
          (b, v) -> b.ttl(DurationParser.parse(v))),
      new Flag("session-ttl", "DURATION", "remember a disconnected client's sequence numbers this long,"
          + " so its re-sent batches apply once (default %s)", DurationParser.format(Defaults.SESSION_TTL),
          (b, v) -> b.sessionTtl(DurationParser.parse(v))),
      new Flag("shutdown-timeout", "DURATION", "on SIGTERM, wait at most this long for clients' frames in"
          + " flight (default %s)", DurationParser.format(Defaults.SHUTDOWN_TIMEOUT),
          (b, v) -> b.shutdownTimeout(DurationParser.parse(v))),
      new Flag("max-series", "N", "series held at once; new ones beyond are rejected (default %s)",
          String.valueOf(Limits.DEFAULTS.maxSeries()), (b, v) -> b.maxSeries(integer(v, "max-series"))),
      new Flag("max-labels", "N", "labels per series (default %s)", String.valueOf(Limits.DEFAULTS.maxLabels()),
          (b, v) -> b.maxLabels(integer(v, "max-labels"))),
      new Flag("max-name-length", "BYTES", "metric and label name length (default %s)",
          String.valueOf(Limits.DEFAULTS.maxNameLength()), (b, v) -> b.maxNameLength(integer(v, "max-name-length"))),
      new Flag("max-label-value-length", "BYTES", "label value length (default %s)",
          String.valueOf(Limits.DEFAULTS.maxLabelValueLength()),
          (b, v) -> b.maxLabelValueLength(integer(v, "max-label-value-length"))),
      new Flag("max-frame-bytes", "BYTES", "largest frame a client may send (default %s)",
          String.valueOf(Limits.DEFAULTS.maxFrameBytes()), (b, v) -> b.maxFrameBytes(integer(v, "max-frame-bytes"))),
      new Flag("max-connections", "N", "client connections open at once (default %s)",
          String.valueOf(Defaults.MAX_CONNECTIONS), (b, v) -> b.maxConnections(integer(v, "max-connections"))),
      new Flag("max-sessions", "N", "client sessions remembered at once; a new one beyond is refused with"
          + " the retryable SESSION_LIMIT, a known one is never forgotten before --session-ttl (default: 1/8"
          + " of the heap at 256 bytes each)", null, (b, v) -> b.maxSessions(longInteger(v, "max-sessions"))),
      new Flag("max-ids-per-connection", "N", "series ids one connection may bind (default: 1/16 of the"
          + " heap at 128 bytes each, at most 1048576)", null,
          (b, v) -> b.maxIdsPerConnection(integer(v, "max-ids-per-connection"))),
      new Flag("max-ids", "N", "series ids all connections together may bind; a connection binding one"
          + " beyond is closed with the retryable MEMORY_LIMIT (default: 1/4 of the heap at 128 bytes each)", null,
          (b, v) -> b.maxIds(longInteger(v, "max-ids"))),
      new Flag("max-series-bytes", "BYTES", "bytes of names, labels and help the series take in a scrape;"
          + " new series beyond are rejected (default: 1/8 of the heap)", null,
          (b, v) -> b.maxSeriesBytes(longInteger(v, "max-series-bytes"))),
      new Flag("max-unread-bytes", "BYTES", "answers a client may leave unread: past half of it the"
          + " aggregator stops reading its frames, past all of it, or after --frame-timeout of not reading,"
          + " closes it (UNREAD_ANSWERS) (default: 1/64 of the heap over --max-connections, at least 65536)", null,
          (b, v) -> b.maxUnreadBytes(integer(v, "max-unread-bytes"))),
      new Flag("max-connections-per-uid", "N", "client connections one user (peer uid) may hold, so one"
          + " user cannot take every --max-connections slot (default %s, at most --max-connections)",
          String.valueOf(Defaults.MAX_CONNECTIONS_PER_UID),
          (b, v) -> b.maxConnectionsPerUid(integer(v, "max-connections-per-uid"))),
      new Flag("frame-timeout", "DURATION", "close a connection that began a frame, or has not said HELLO,"
          + " and sends nothing more for this long; also one whose frames stopped being read because it reads"
          + " none of its answers (default %s)", DurationParser.format(Defaults.FRAME_TIMEOUT),
          (b, v) -> b.frameTimeout(DurationParser.parse(v))),
      new Flag("idle-timeout", "DURATION", "close a connection that sent no frame for this long and holds no"
          + " live gauge value; clients reconnect when they next send (default %s)",
          DurationParser.format(Defaults.IDLE_TIMEOUT),
          (b, v) -> b.idleTimeout(DurationParser.parse(v))),
      new Flag("http-timeout", "DURATION", "an HTTP client must send its request, and take its response,"
          + " within this; a scrape waits this long for a render slot before 503 (default %s)",
          DurationParser.format(Defaults.HTTP_TIMEOUT), (b, v) -> b.httpTimeout(DurationParser.parse(v))),
      new Flag("max-concurrent-scrapes", "N", "scrapes rendered at once; more wait their turn, and those"
          + " asking for the same share one body (default %s)", String.valueOf(Defaults.MAX_CONCURRENT_SCRAPES),
          (b, v) -> b.maxConcurrentScrapes(integer(v, "max-concurrent-scrapes"))),
      new Flag("io-threads", "N", "event loop threads (default: number of cores)", null,
          (b, v) -> b.ioThreads(integer(v, "io-threads"))),
      new Flag("jvm-metrics", "BOOL", "also expose the aggregator JVM's own metrics (default %s)",
          String.valueOf(Defaults.JVM_METRICS), (b, v) -> b.jvmMetrics(bool(v, "jvm-metrics"))),
      new Flag("remote-write-url", "URL", "also push the merged series with Prometheus remote_write to this"
          + " URL (Prometheus, Mimir, Cortex, Thanos Receive, VictoriaMetrics); repeatable; in the environment,"
          + " comma-separated (default: off)", null, (b, v) -> b.remoteWrite().url(v)),
      new Flag("remote-write-interval", "DURATION", "push every this long; SIGTERM makes a final push"
          + " (default %s)", DurationParser.format(RemoteWriteConfig.DEFAULT_INTERVAL),
          (b, v) -> b.remoteWrite().interval(DurationParser.parse(v))),
      new Flag("external-label", "NAME=VALUE", "add this label to every pushed series that lacks it, e.g."
          + " node=$(hostname); repeatable; in the environment, comma-separated", null,
          (b, v) -> b.remoteWrite().externalLabel(v)),
      new Flag("remote-write-username", "USER", "basic auth user for remote write (with"
          + " --remote-write-password-file)", null, (b, v) -> b.remoteWrite().username(v)),
      new Flag("remote-write-password-file", "PATH", "file holding the basic auth password; read at every"
          + " push", null, (b, v) -> b.remoteWrite().passwordFile(Path.of(v))),
      new Flag("remote-write-bearer-token-file", "PATH", "file holding a bearer token for remote write; read"
          + " at every push", null, (b, v) -> b.remoteWrite().bearerTokenFile(Path.of(v))));

  /** Flags that may be given more than once; their environment variables hold comma-separated values. */
  private static final Set<String> REPEATABLE = Set.of("remote-write-url", "external-label");

  private CommandLine() {}

  /** True when the arguments ask for {@code --help}. */
  public static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  public static AggregatorConfig parse(String[] args, Map<String, String> env) throws UsageException {
    return parse(args, env, ProcessUser.uid());
  }

  /** {@link #parse(String[], Map)} for a process running as {@code uid}, which decides the default socket. */
  static AggregatorConfig parse(String[] args, Map<String, String> env, long uid) throws UsageException {
    AggregatorConfig.Builder builder = AggregatorConfig.builder();
    Set<String> given = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'; flags start with --");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      Flag flag = find(name);
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException("flag --" + name + " needs a value: --" + name + " " + flag.arg());
      }
      if (!given.add(name) && !REPEATABLE.contains(name)) {
        throw new UsageException("flag --" + name + " is given twice");
      }
      apply(builder, flag, value, "--" + name);
    }
    for (Flag flag : FLAGS) {
      String value = env.get(flag.env());
      if (!given.contains(flag.name()) && value != null && !value.isEmpty()) {
        for (String one : REPEATABLE.contains(flag.name()) ? value.split(",") : new String[] {value}) {
          apply(builder, flag, one.strip(), "environment variable " + flag.env());
        }
        given.add(flag.name());
      }
    }
    if (!given.contains("socket")) {
      apply(builder, find("socket"), DefaultSocket.choose(env, uid).toString(), "the default socket");
    }
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  public static String usage() {
    StringBuilder sb = new StringBuilder(
        "Usage: java -jar pidless-aggregator.jar [flags]\n\n"
        + "Merges metric deltas that short-lived worker processes send to a Unix socket, and serves the\n"
        + "sums on one Prometheus /metrics endpoint. Every flag can also be set through the environment\n"
        + "variable shown after it.\n\nFlags:\n");
    for (Flag f : FLAGS) {
      sb.append(String.format("  --%-24s %s%n  %-26s   [%s]%n", f.name() + " " + f.arg(), f.shownHelp(), "", f.env()));
    }
    sb.append("  --help                     show this text\n");
    return sb.toString();
  }

  private static Flag find(String name) throws UsageException {
    for (Flag f : FLAGS) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    throw new UsageException("unknown flag --" + name + "; see --help for the flags");
  }

  private static void apply(AggregatorConfig.Builder b, Flag flag, String value, String source)
      throws UsageException {
    try {
      flag.apply().accept(b, value);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new UsageException(source + ": " + e.getMessage());
    }
  }

  private static int integer(String v, String flag) {
    long n = longInteger(v, flag);
    if (n != (int) n) {
      throw new IllegalArgumentException("Invalid number for " + flag + ": " + v + " (at most " + Integer.MAX_VALUE + ")");
    }
    return (int) n;
  }

  private static long longInteger(String v, String flag) {
    try {
      return Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid number for " + flag + ": " + v);
    }
  }

  private static boolean bool(String v, String flag) {
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("Invalid boolean for " + flag + ": " + v + " (true or false)");
  }
}
