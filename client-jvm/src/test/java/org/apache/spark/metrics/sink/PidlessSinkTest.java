package org.apache.spark.metrics.sink;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PidlessSinkTest {

  private static Properties props(String period, String unit) {
    Properties p = new Properties();
    p.setProperty("class", PidlessSink.class.getName());
    p.setProperty(PidlessSink.PERIOD, period);
    p.setProperty(PidlessSink.UNIT, unit);
    return p;
  }

  @Test
  void badPeriodOrUnitNamesTheSettings() {
    for (Properties p : new Properties[] {props("ten", "seconds"), props("10", "fortnights")}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new PidlessSink(p, new MetricRegistry()));
      assertTrue(e.getMessage().contains("spark.metrics.conf.*.sink.pidless.*"), e.getMessage());
    }
  }

  @Test
  void periodBelowSparksMinimumIsRefusedBySparksOwnCheck() {
    assertThrows(IllegalArgumentException.class, () -> new PidlessSink(props("10", "milliseconds"), new MetricRegistry()));
  }
}
