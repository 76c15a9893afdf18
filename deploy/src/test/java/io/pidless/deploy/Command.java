package io.pidless.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool (promtool, systemd-analyze) to completion within a time bound, capturing its
 * output, so a test can show exactly what the tool said.
 *
 * <pre>{@code
 * Command.Result r = Command.run(Path.of("/tmp"), "promtool", "check", "rules", "rules.yml");
 * assertEquals(0, r.exitCode(), r.describe());
 * }</pre>
 */
final class Command {
  private static final long TIMEOUT_SECONDS = 30;

  private Command() {}

  /** What a finished command printed, and its exit code. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    String describe() {
      return String.join(" ", command) + " exited " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** The executable called {@code name} on PATH, if any. */
  static Optional<Path> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  static Result run(Path workDir, String... command) {
    List<String> cmd = List.of(command);
    try {
      Path out = Files.createTempFile("pidless-cmd", ".out");
      Path err = Files.createTempFile("pidless-cmd", ".err");
      try {
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          throw new AssertionError(String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(cmd, p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + String.join(" ", cmd), e);
    }
  }
}
