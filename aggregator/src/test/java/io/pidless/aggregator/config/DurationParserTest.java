package io.pidless.aggregator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationParserTest {
  @Test
  void readsPrometheusStyleDurations() {
    assertEquals(Duration.ofMillis(500), DurationParser.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), DurationParser.parse("30s"));
    assertEquals(Duration.ofMinutes(90), DurationParser.parse("1h30m"));
    assertEquals(Duration.ofDays(2), DurationParser.parse("2d"));
  }

  @Test
  void rejectsWhatItCannotRead() {
    for (String bad : new String[] {"", "10", "m", "1x", "1m ", "-1m", "1m30"}) {
      assertThrows(IllegalArgumentException.class, () -> DurationParser.parse(bad), bad);
    }
  }

  @Test
  void formatsBackToTheShortestForm() {
    for (String s : new String[] {"10m", "2h", "45s", "1500ms"}) {
      assertEquals(s, DurationParser.format(DurationParser.parse(s)));
    }
  }
}
