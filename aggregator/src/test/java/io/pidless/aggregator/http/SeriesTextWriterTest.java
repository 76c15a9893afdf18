package io.pidless.aggregator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.client.Collector;
import org.junit.jupiter.api.Test;

class SeriesTextWriterTest {
  private static String value(double v) {
    StringBuilder sb = new StringBuilder();
    SeriesTextWriter.appendValue(v, sb);
    return sb.toString();
  }

  @Test
  void wholeNumbersTakeTheFastPathAndStillParseToTheSameDouble() {
    for (double v : new double[] {0, 1, 3, -7, 12345678, 1e15, 9.007199254740991E15, 0.5, 1e-9, 1e300, -0.0,
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      String text = value(v);
      double back = switch (text) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(text);
      };
      assertEquals(Double.doubleToLongBits(v), Double.doubleToLongBits(back), v + " written as " + text);
    }
    assertEquals("12345678.0", value(12345678));
    assertEquals(Collector.doubleToGoString(0.25), value(0.25));
    assertEquals("-0.0", value(-0.0));
  }
}
