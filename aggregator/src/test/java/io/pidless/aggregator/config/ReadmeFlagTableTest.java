package io.pidless.aggregator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's flag table lists exactly the flags {@code --help} lists, each with its value's name, its
 * environment variable and, where the default is one value, the default {@code --help} shows: that
 * default is derived from {@link Defaults} and {@link AggregatorConfig.Limits#DEFAULTS}, so the README
 * cannot drift from the code.
 */
class ReadmeFlagTableTest {
  /** {@code | `--ttl DURATION` | `PIDLESS_TTL` | `10m` | what it does |}. */
  private static final Pattern ROW = Pattern.compile(
      "^\\| `--([a-z-]+) ([^`]+)` \\| `(PIDLESS_[A-Z_]+)`[^|]*\\| ([^|]+) \\|", Pattern.MULTILINE);

  @Test
  void theReadmeFlagTableMatchesTheFlagsAndTheirDefaults() throws Exception {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    Matcher m = ROW.matcher(Files.readString(Path.of("..", "README.md")));
    while (m.find()) {
      rows.put(m.group(1), List.of(m.group(2), m.group(3), m.group(4).strip()));
    }
    for (CommandLine.Flag f : CommandLine.FLAGS) {
      List<String> row = rows.remove(f.name());
      assertNotNull(row, "README.md's flag table has no row for --" + f.name());
      assertEquals(List.of(f.arg(), f.env()), row.subList(0, 2), "--" + f.name() + "'s value and variable");
      if (f.shownDefault() != null) {
        assertEquals("`" + f.shownDefault() + "`", row.get(2), "--" + f.name() + "'s default in README.md");
      }
    }
    assertEquals(Map.of(), rows, "README.md lists flags the aggregator does not have");
  }
}
