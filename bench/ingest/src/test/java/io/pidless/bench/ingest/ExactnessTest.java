package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pidless.testsupport.Scrape;
import org.junit.jupiter.api.Test;

class ExactnessTest {
  @Test
  void theKeysOfTheLoadAreTheSeriesOfTheScrape() {
    Scrape s = Scrape.parse("# HELP a_total A\n# TYPE a_total counter\na_total{conn=\"0\",series=\"7\",} 3.0\n");
    Exactness.expect(s, CounterSeries.of("a_total", 0).sampleKey(7), 3);
  }

  @Test
  void sumsOneMetricNameOnly() {
    Scrape s = Scrape.parse("a_total{x=\"1\",} 2.0\na_total{x=\"2\",} 3.0\na_created{x=\"1\",} 9.0\n");
    Exactness.expectSum(s, "a_total", 5);
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expectSum(s, "a_total", 14));
  }

  @Test
  void rejectsAnyDifferenceAndAMissingSample() {
    Scrape s = Scrape.parse("a_total 2.0\n");
    Exactness.expect(s, "a_total", 2);
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expect(s, "a_total", 3));
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expect(s, "b_total", 0));
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expectSum(s, "a_total", 1));
  }
}
