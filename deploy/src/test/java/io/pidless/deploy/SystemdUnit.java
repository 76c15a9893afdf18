package io.pidless.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code deploy/systemd/}: the unit's directives and the environment file's variables, parsed the way
 * systemd reads them (a directive may repeat; {@code #} starts a comment line).
 *
 * <pre>{@code
 * List<String> users = SystemdUnit.directives().get("User");
 * Map<String, String> env = SystemdUnit.environmentFile();
 * }</pre>
 */
final class SystemdUnit {
  static final String UNIT = "systemd/pidless.service";
  static final String ENV_FILE = "systemd/pidless.env";

  private SystemdUnit() {}

  /** Every {@code Key=value} of the unit, all sections together, values in file order. */
  static Map<String, List<String>> directives() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String line : DeployFiles.text(UNIT).split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || l.startsWith("[")) {
        continue;
      }
      int eq = l.indexOf('=');
      out.computeIfAbsent(l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
    }
    return out;
  }

  /** The one value of a directive that must appear exactly once. */
  static String single(String key) {
    List<String> values = directives().get(key);
    if (values == null || values.size() != 1) {
      throw new AssertionError(UNIT + " must set " + key + " exactly once, found " + values);
    }
    return values.get(0);
  }

  /** {@code pidless.env} as variable -> value. */
  static Map<String, String> environmentFile() {
    return EnvFile.parse(DeployFiles.text(ENV_FILE));
  }
}
