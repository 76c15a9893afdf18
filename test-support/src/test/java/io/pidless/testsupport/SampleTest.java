package io.pidless.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleTest {
  @Test
  void javadocExampleDropsTheTrailingCommaFromTheSeries() {
    Sample s = Sample.parse("jobs_total{stage=\"parse\",} 3.0");
    assertEquals("jobs_total{stage=\"parse\"}", s.series());
    assertEquals("jobs_total", s.name());
    assertEquals(Map.of("stage", "parse"), s.labels());
    assertEquals(3.0, s.value());
  }

  @Test
  void shouldParseASampleWithoutLabelsAndWithATimestamp() {
    Sample s = Sample.parse("pidless_series 3.0 1700000000000");
    assertEquals("pidless_series", s.series());
    assertEquals(Map.of(), s.labels());
    assertEquals(3.0, s.value());
  }

  @Test
  void shouldKeepTheSeriesAsExposedAndUnescapeLabelValues() {
    Sample s = Sample.parse("q_bucket{path=\"a \\\"b\\\"\\\\c\\nd}\",le=\"+Inf\"} +Inf");
    assertEquals("q_bucket{path=\"a \\\"b\\\"\\\\c\\nd}\",le=\"+Inf\"}", s.series());
    assertEquals(Map.of("path", "a \"b\"\\c\nd}", "le", "+Inf"), s.labels());
    assertEquals(Double.POSITIVE_INFINITY, s.value());
  }

  @Test
  void shouldParseNaNAndNegativeInfinity() {
    assertTrue(Double.isNaN(Sample.parse("x NaN").value()));
    assertEquals(Double.NEGATIVE_INFINITY, Sample.parse("x{a=\"1\"} -Inf").value());
  }

  @Test
  void malformedLinesFailNamingTheLine() {
    for (String bad : new String[] {"novalue", "x{a=1} 2", "x{a=\"1\" 2", "x 1 2 3"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sample.parse(bad));
      assertTrue(e.getMessage().endsWith(bad), e.getMessage());
    }
  }
}
