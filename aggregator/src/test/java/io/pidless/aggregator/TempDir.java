package io.pidless.aggregator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A short temp directory under /tmp: Unix socket paths must stay under 108 bytes. */
public final class TempDir implements AutoCloseable {
  private final Path dir;

  public TempDir() throws IOException {
    dir = Files.createTempDirectory(Path.of("/tmp"), "pl");
  }

  public Path path() {
    return dir;
  }

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
