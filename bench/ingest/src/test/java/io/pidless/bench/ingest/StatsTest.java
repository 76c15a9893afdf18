package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianAndMax() {
    assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, Stats.median(List.of(4L, 1L, 2L, 3L)));
    assertEquals(4.0, Stats.max(List.of(4L, 1L, 2L, 3L)));
  }

  @Test
  void tableAlignsColumnsAndRemembersAFailure() {
    SummaryTable t = new SummaryTable();
    t.row("churn", "6,000 conn/s", "20,000 conn/s", "0.30", ">= 5,000 conn/s", true);
    assertTrue(t.allPass());
    t.row("heap", "500 B", "", "", "<= 400 B", false);
    t.info("scrape max", "90 ms", "", "");
    String[] lines = t.render().split("\n");
    assertEquals(5, lines.length);
    for (String line : lines) {
      assertEquals(lines[0].length(), line.length(), line);
    }
    assertFalse(t.allPass());
  }
}
