package io.pidless.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void metricNamesFollowPrometheus() {
    for (String ok : new String[] {"a", "_x", "ns:sub_total", "A9"}) {
      assertTrue(Names.isValidMetricName(ok), ok);
    }
    for (String bad : new String[] {"", "9a", "a-b", "a b", "é"}) {
      assertFalse(Names.isValidMetricName(bad), bad);
    }
  }

  @Test
  void labelNamesFollowPrometheusAndReserveDoubleUnderscore() {
    assertTrue(Names.isValidLabelName("stage"));
    assertFalse(Names.isValidLabelName("__name__"));
    assertFalse(Names.isValidLabelName("a:b"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Names.checkLabelName("le", MetricType.HISTOGRAM));
    assertEquals("Invalid label name: le is reserved for histogram series", e.getMessage());
    Names.checkLabelName("le", MetricType.COUNTER);
  }

  @Test
  void javadocExampleRuns() {
    Names.checkMetricName("etl_records_total");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Names.checkMetricName("etl-records"));
    assertTrue(e.getMessage().startsWith("Invalid metric name: etl-records"));
  }

  @Test
  void counterFamilyDropsTotal() {
    assertEquals("jobs", Names.familyName("jobs_total", MetricType.COUNTER));
    assertEquals("jobs_total", Names.familyName("jobs_total", MetricType.GAUGE));
    assertEquals("_total", Names.familyName("_total", MetricType.COUNTER));
  }
}
