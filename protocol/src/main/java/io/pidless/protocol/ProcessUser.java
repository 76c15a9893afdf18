package io.pidless.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The user this process runs as, which the JDK does not tell: read from {@code /proc/self/status}
 * (pidless runs on Linux). Used to pick the default socket and to check who owns the files the
 * aggregator trusts.
 *
 * <pre>{@code
 * boolean root = ProcessUser.uid() == 0;
 * }</pre>
 */
public final class ProcessUser {
  /** Returned when the uid cannot be read (not Linux): matches no one, root included. */
  public static final long UNKNOWN = -1;

  private static final long UID = read(Path.of("/proc/self/status"));

  private ProcessUser() {}

  /** The effective uid, or {@link #UNKNOWN}. */
  public static long uid() {
    return UID;
  }

  /** The effective uid from a {@code /proc/<pid>/status} file: the second number of its {@code Uid:} line. */
  static long read(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
    return UNKNOWN;
  }
}
