package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTextTest {
  @Test
  void parsesSamplesAsSimpleclientWritesThem() {
    Map<String, Double> s = MetricsText.parse("# HELP a_total A\n# TYPE a_total counter\n"
        + "a_total{conn=\"0\",series=\"7\",} 3.0\nb 1.5e3\nc{le=\"+Inf\",} +Inf\n");
    assertEquals(3.0, s.get(CounterSeries.of("a_total", 0).sampleKey(7)));
    assertEquals(1500.0, s.get("b"));
    assertEquals(Double.POSITIVE_INFINITY, s.get("c{le=\"+Inf\"}"));
    assertEquals(3, s.size());
  }

  @Test
  void sumsOneMetricNameOnly() {
    Map<String, Double> s = MetricsText.parse("a_total{x=\"1\",} 2.0\na_total{x=\"2\",} 3.0\na_created{x=\"1\",} 9.0\n");
    assertEquals(5.0, MetricsText.sum(s, "a_total"));
  }

  @Test
  void exactnessRejectsAnyDifferenceAndAMissingSample() {
    Map<String, Double> s = MetricsText.parse("a_total 2.0\n");
    Exactness.expect(s, "a_total", 2);
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expect(s, "a_total", 3));
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expect(s, "b_total", 0));
    assertThrows(Exactness.Mismatch.class, () -> Exactness.expectSum(s, "a_total", 1));
  }
}
