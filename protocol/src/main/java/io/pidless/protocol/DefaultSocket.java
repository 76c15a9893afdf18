package io.pidless.protocol;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the aggregator listens, and clients connect, when nobody names a socket: one ordered rule both
 * ends follow (docs/PROTOCOL.md, "Transport"), so a user who starts both finds them meeting, and no
 * default is a directory another user could have prepared.
 *
 * <ol>
 *   <li>{@code PIDLESS_SOCKET}, when set;
 *   <li>{@code /run/pidless/pidless.sock} when the process runs as root (systemd's runtime directory);
 *   <li>{@code $XDG_RUNTIME_DIR/pidless/pidless.sock} when {@code XDG_RUNTIME_DIR} is an absolute path
 *       (the user's private runtime directory);
 *   <li>{@code /tmp/pidless/pidless.sock}, which the aggregator uses only if the directory is its own.
 * </ol>
 *
 * <pre>{@code
 * Path socket = DefaultSocket.choose(System.getenv(), ProcessUser.uid());
 * }</pre>
 */
public final class DefaultSocket {
  public static final String FILE_NAME = "pidless.sock";
  public static final Path ROOT = Path.of("/run/pidless", FILE_NAME);
  public static final Path SHARED_TMP = Path.of("/tmp/pidless", FILE_NAME);

  private DefaultSocket() {}

  /** The socket for a process with environment {@code env} running as {@code uid}. */
  public static Path choose(Map<String, String> env, long uid) {
    String named = env.get(Protocol.SOCKET_ENV);
    if (named != null && !named.isBlank()) {
      return Path.of(named);
    }
    if (uid == 0) {
      return ROOT;
    }
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && runtime.startsWith("/")) {
      return Path.of(runtime, "pidless", FILE_NAME);
    }
    return SHARED_TMP;
  }

  /** {@link #choose} for this process. */
  public static Path forThisProcess() {
    return choose(System.getenv(), ProcessUser.uid());
  }
}
