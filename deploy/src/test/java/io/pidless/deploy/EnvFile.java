package io.pidless.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code KEY=value} lines, {@code #} comments: the subset of systemd's EnvironmentFile syntax the
 * deployment uses (no quotes, no continuation lines), which a test rejects rather than misreads.
 *
 * <pre>{@code
 * Map<String, String> env = EnvFile.parse("PIDLESS_TTL=10m\n");
 * }</pre>
 */
final class EnvFile {
  private EnvFile() {}

  static Map<String, String> parse(String text) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (!l.matches("[A-Z_][A-Z0-9_]*=[^\"'\\\\]*")) {
        throw new AssertionError("not a plain KEY=value line: " + line);
      }
      int eq = l.indexOf('=');
      if (env.put(l.substring(0, eq), l.substring(eq + 1)) != null) {
        throw new AssertionError("variable set twice: " + line);
      }
    }
    return env;
  }
}
