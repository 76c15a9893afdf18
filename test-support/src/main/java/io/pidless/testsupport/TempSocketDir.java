package io.pidless.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A short temp directory under {@code /tmp} for Unix sockets, whose paths must stay under 108 bytes
 * ({@code java.io.tmpdir} may be long). Closing deletes it and everything in it.
 *
 * <pre>{@code
 * try (TempSocketDir dir = new TempSocketDir()) {
 *   Path socket = dir.socket();   // e.g. /tmp/pl123/p.sock, not yet created
 * }
 * }</pre>
 */
public final class TempSocketDir implements AutoCloseable {
  private final Path dir;

  public TempSocketDir() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
  }

  public Path path() {
    return dir;
  }

  /** {@code p.sock} in this directory. */
  public Path socket() {
    return dir.resolve("p.sock");
  }

  @Override
  public void close() throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
