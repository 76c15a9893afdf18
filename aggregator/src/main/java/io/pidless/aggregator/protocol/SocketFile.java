package io.pidless.aggregator.protocol;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The socket file in its directory, which {@link SocketDirectory} has prepared: a stale file left by
 * a crashed run is replaced, and a path a live aggregator still answers on is refused. The socket is
 * bound under a temporary name, given its mode, then renamed into place, so no client ever sees it
 * with the wrong permissions.
 */
final class SocketFile {
  private SocketFile() {}

  /** Thrown when the aggregator must not start on this path; the message says what to do. */
  static final class UnusableException extends IOException {
    UnusableException(String message) {
      super(message);
    }
  }

  /** Makes sure {@code path} can be bound; returns the temporary path to bind to. */
  static Path prepare(Path path) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!isSocket(path)) {
        throw new UnusableException(path + " exists and is not a socket; refusing to replace it."
            + " Remove it, or pass --socket to use another path");
      }
      if (answers(path)) {
        throw new UnusableException("socket " + path + " is in use by a live aggregator;"
            + " pass --socket to use another path");
      }
      Files.delete(path);
    }
    return dir.resolve("." + path.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
  }

  /** Gives the freshly bound socket its mode and moves it to its public name. */
  static void publish(Path bound, Path path, Set<PosixFilePermission> mode) throws IOException {
    Files.setPosixFilePermissions(bound, mode);
    Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean isSocket(Path path) throws IOException {
    Object isOther = Files.getAttribute(path, "basic:isOther", LinkOption.NOFOLLOW_LINKS);
    return Boolean.TRUE.equals(isOther);
  }

  private static boolean answers(Path path) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
