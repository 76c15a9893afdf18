package io.pidless.aggregator.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations the way Prometheus writes them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h30m}. */
public final class DurationParser {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private DurationParser() {}

  public static Duration parse(String text) {
    Matcher m = PART.matcher(text);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms" -> total = total.plusMillis(n);
        case "s" -> total = total.plusSeconds(n);
        case "m" -> total = total.plusMinutes(n);
        case "h" -> total = total.plusHours(n);
        default -> total = total.plusDays(n);
      }
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new IllegalArgumentException("Invalid duration: " + text + " (examples: 500ms, 30s, 10m, 1h30m)");
    }
    return total;
  }

  /** The shortest text that {@link #parse} reads back as the same duration. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
