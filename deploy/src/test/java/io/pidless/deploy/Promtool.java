package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

/**
 * Prometheus' own checker, required: without it the rules and scrape configs are unchecked, so a
 * missing promtool fails the test instead of skipping it. Debian and CI get it from the
 * {@code prometheus} package; {@code PROMTOOL} may point at another binary.
 *
 * <pre>{@code
 * Promtool.check(dir, "check", "rules", "pidless-rules.yml");
 * }</pre>
 */
final class Promtool {
  private Promtool() {}

  static Path binary() {
    String explicit = System.getenv("PROMTOOL");
    if (explicit != null && !explicit.isEmpty()) {
      return Path.of(explicit);
    }
    return Command.onPath("promtool").orElseThrow(() -> new AssertionError(
        "promtool not found: apt-get install prometheus (or set PROMTOOL to a promtool binary)"));
  }

  /** Runs promtool with {@code args} in {@code workDir}. */
  static Command.Result run(Path workDir, String... args) {
    String[] cmd = new String[args.length + 1];
    cmd[0] = binary().toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    return Command.run(workDir, cmd);
  }

  /** Runs promtool and fails, with everything it printed, unless it exits 0. */
  static Command.Result check(Path workDir, String... args) {
    Command.Result r = run(workDir, args);
    assertEquals(0, r.exitCode(), r.describe());
    return r;
  }
}
