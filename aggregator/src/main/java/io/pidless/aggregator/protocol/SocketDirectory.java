package io.pidless.aggregator.protocol;

import io.pidless.aggregator.config.StrictModes;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;

/**
 * The socket's directory: created if missing, so that whoever the socket mode lets connect can reach
 * the socket but nobody else can write there (0750 for the default socket mode 0660, 0700 for 0600),
 * then trusted only if {@link StrictModes} finds no other user could have prepared it. Runs before the
 * state file beside the socket is read.
 *
 * <pre>{@code
 * Path dir = SocketDirectory.prepare(config.socket(), config.socketMode(), StrictModes.forThisProcess());
 * }</pre>
 */
public final class SocketDirectory {
  private SocketDirectory() {}

  /** Creates and checks the directory of {@code socket}; returns it. */
  public static Path prepare(Path socket, Set<PosixFilePermission> socketMode, StrictModes strict)
      throws IOException {
    Path dir = socket.toAbsolutePath().getParent();
    Set<PosixFilePermission> mode = modeFor(socketMode);
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
      missing.push(p);
    }
    try {
      for (Path p : missing) {
        try {
          Files.createDirectory(p);
          Files.setPosixFilePermissions(p, mode);
        } catch (FileAlreadyExistsException raced) {
          // Someone created it meanwhile: the check below decides whether it can be trusted.
        }
      }
    } catch (IOException e) {
      throw new SocketFile.UnusableException("cannot create socket directory " + dir + ": " + e.getMessage()
          + "; create it with write access for this user only, or pass --socket to use another path");
    }
    strict.checkDirectory(dir, "socket directory", "pass --socket to use a directory of your own");
    return dir;
  }

  /** Owner rwx; read and traverse for group and others only where the socket mode lets them connect. */
  static Set<PosixFilePermission> modeFor(Set<PosixFilePermission> socketMode) {
    Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE);
    if (socketMode.contains(PosixFilePermission.GROUP_READ) || socketMode.contains(PosixFilePermission.GROUP_WRITE)) {
      mode.add(PosixFilePermission.GROUP_READ);
      mode.add(PosixFilePermission.GROUP_EXECUTE);
    }
    if (socketMode.contains(PosixFilePermission.OTHERS_READ) || socketMode.contains(PosixFilePermission.OTHERS_WRITE)) {
      mode.add(PosixFilePermission.OTHERS_READ);
      mode.add(PosixFilePermission.OTHERS_EXECUTE);
    }
    return mode;
  }
}
