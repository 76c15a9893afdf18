package io.pidless.aggregator.config;

import io.pidless.protocol.ProcessUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Trusts a path only if no other user can have prepared or replace it, as sshd's StrictModes does: the
 * socket directory and its parents, and the state file, must belong to this user or root, and not be
 * writable by group or others (a parent may be, with the sticky bit, like {@code /tmp}). Otherwise
 * another user could swap the socket and read every worker's frames, or plant a state file whose
 * counts the next start would serve as real. A refusal is a startup failure whose message names the
 * path and the fix.
 *
 * <pre>{@code
 * StrictModes strict = StrictModes.forThisProcess();
 * strict.checkDirectory(Path.of("/run/pidless"), "socket directory", "pass --socket to use another path");
 * }</pre>
 */
public final class StrictModes {
  private static final int GROUP_OTHERS_WRITE = 0022;
  private static final int STICKY = 01000;

  /** Thrown when a path is not trusted; the message names it, why, and what to do. */
  public static final class UntrustedPathException extends IOException {
    UntrustedPathException(String message) {
      super(message);
    }
  }

  private final long uid;

  /** Checks against {@code uid}, the user the aggregator runs as. */
  public StrictModes(long uid) {
    this.uid = uid;
  }

  public static StrictModes forThisProcess() {
    return new StrictModes(ProcessUser.uid());
  }

  /**
   * Refuses {@code dir} (which must exist) unless it and every parent are this user's or root's, it is
   * not writable by group or others, and no parent is unless sticky. {@code what} names the directory
   * ("socket directory"), {@code otherwise} is the alternative the operator has (a flag).
   */
  public void checkDirectory(Path dir, String what, String otherwise) throws IOException {
    Path real = dir.toRealPath();
    String problem = problem(real, false);
    problem = problem == null ? null : "it " + problem;
    for (Path p = real.getParent(); problem == null && p != null; p = p.getParent()) {
      String parent = problem(p, true);
      if (parent != null) {
        problem = "its parent " + p + " " + parent;
      }
    }
    if (problem != null) {
      throw new UntrustedPathException("refusing " + what + " " + dir + ": " + problem + ", so another user could"
          + " replace what the aggregator keeps there. " + fix(real, problem) + ", or " + otherwise);
    }
  }

  /**
   * Refuses {@code file}, if it exists, unless it is a regular file (not a link) of this user or root
   * that group and others cannot write. {@code otherwise} as for {@link #checkDirectory}.
   */
  public void checkFile(Path file, String what, String otherwise) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    String problem = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? problem(file, false)
        : "is not a regular file";
    if (problem != null) {
      throw new UntrustedPathException("refusing " + what + " " + file + ": it " + problem + ", so another user"
          + " may have planted it; it was not used. Check it, then remove it or make it yours (chown "
          + uidName() + " " + file + "; chmod 0600 " + file + "), or " + otherwise);
    }
  }

  /** Why {@code path} is not trusted, or null. */
  private String problem(Path path, boolean stickyAllowed) throws IOException {
    int owner = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != uid && owner != 0) {
      return "is owned by uid " + owner + ", not by this user (uid " + uidName() + ") or root";
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if ((mode & GROUP_OTHERS_WRITE) != 0 && !(stickyAllowed && (mode & STICKY) != 0)) {
      return "is writable by " + ((mode & 0020) != 0 ? ((mode & 0002) != 0 ? "group and others" : "group")
          : "others") + " (mode " + String.format("%04o", mode & 07777) + ")"
          + (stickyAllowed ? " without the sticky bit" : "");
    }
    return null;
  }

  private String fix(Path real, String problem) {
    if (problem.startsWith("its parent")) {
      return "Move it under a directory only this user or root can write";
    }
    return problem.startsWith("it is owned") ? "Remove it (rm -r " + real + ") so the aggregator creates its own"
        : "Run chmod go-w " + real;
  }

  private String uidName() {
    return uid == ProcessUser.UNKNOWN ? "unknown" : Long.toString(uid);
  }
}
