package io.pidless.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScrapeTest {
  private static final String TEXT = """
      # HELP jobs Jobs run.
      # TYPE jobs counter
      jobs_total{stage="parse",} 4.0
      jobs_total{stage="load",} 0.5
      jobs_created{stage="parse",} 1.7e9

      # TYPE pidless_series gauge
      pidless_series 3.0
      """;

  @Test
  void shouldKeySamplesBySeriesInTheOrderExposed() {
    Scrape s = Scrape.parse(TEXT, "text/plain; version=0.0.4");
    assertEquals(4.0, s.value("jobs_total{stage=\"parse\"}"));
    assertTrue(s.has("pidless_series"));
    assertFalse(s.has("jobs_total"));
    assertEquals(List.of("jobs_total{stage=\"parse\"}", "jobs_total{stage=\"load\"}",
        "jobs_created{stage=\"parse\"}", "pidless_series"), List.copyOf(s.samples().keySet()));
    assertEquals(TEXT, s.body());
    assertEquals("text/plain; version=0.0.4", s.contentType());
  }

  @Test
  void shouldGroupSamplesByNameAndLabels() {
    Scrape s = Scrape.parse(TEXT, "");
    assertEquals(Set.of("jobs_total", "jobs_created", "pidless_series"), s.names());
    assertEquals(Map.of(Map.of("stage", "parse"), 4.0, Map.of("stage", "load"), 0.5), s.series("jobs_total"));
    assertEquals(Map.of(Map.of(), 3.0), s.series("pidless_series"));
  }

  @Test
  void anAbsentSeriesFailsShowingThatMetricsSamples() {
    AssertionError e = assertThrows(AssertionError.class, () -> Scrape.parse(TEXT, "").value("jobs_total{stage=\"x\"}"));
    assertEquals("no sample jobs_total{stage=\"x\"} in /metrics; samples of jobs_total (first 20): "
        + "jobs_total{stage=\"parse\"}, jobs_total{stage=\"load\"}", e.getMessage());
  }

  @Test
  void aSeriesExposedTwiceFailsTheScrape() {
    AssertionError e = assertThrows(AssertionError.class, () -> Scrape.parse("a{b=\"1\"} 1\na{b=\"1\",} 2\n", ""));
    assertEquals("series a{b=\"1\"} exposed twice in one scrape", e.getMessage());
  }
}
