package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.Protocol;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sums that finite, valid deltas push past what their type holds, against the real jar with deploy/'s
 * JVM options: a histogram or summary count stays at 2^63-1 instead of wrapping negative, a counter
 * or {@code sum} gauge at ±1.8e308 instead of reaching ±Inf; every batch is still applied and
 * acknowledged, and each saturated delta is counted.
 */
class ValueOverflowIT {
  private static final long HALF = 1L << 62;
  private static final double MAX_COUNT = (double) Long.MAX_VALUE;

  @Test
  @Timeout(90)
  void countsAndSumsSaturateInsteadOfWrappingOrReachingInfinity() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket()).deployed());
        TestClient c = new TestClient(dir.socket())) {
      c.hello();
      c.histogram(1, "big_seconds", new double[] {1}).summary(2, "big_bytes")
          .counter(3, "big_total").gauge(4, GaugeMode.SUM, "big_level");
      for (long seq = 1; seq <= 3; seq++) {
        c.beginBatch(seq, 4).varint(1).varint(HALF).varint(HALF).f64(1)
            .varint(2).varint(HALF).f64(1)
            .varint(3).f64(1e308)
            .varint(4).f64(-1e308);
        assertEquals(Protocol.ACK_APPLIED, c.endBatch().sendAndAck(seq).outcome(), "saturating is not rejecting");
      }
      Scrape s = p.scrape();
      assertEquals(MAX_COUNT, s.value("big_seconds_bucket{le=\"1.0\"}"));
      assertEquals(MAX_COUNT, s.value("big_seconds_bucket{le=\"+Inf\"}"));
      assertEquals(MAX_COUNT, s.value("big_seconds_count"));
      assertEquals(3.0, s.value("big_seconds_sum"));
      assertEquals(MAX_COUNT, s.value("big_bytes_count"));
      assertEquals(3.0, s.value("big_bytes_sum"));
      assertEquals(Double.MAX_VALUE, s.value("big_total"));
      assertEquals(-Double.MAX_VALUE, s.value("big_level"));
      // histogram: the count passes 2^63-1 in batch 1, the bucket too in batches 2 and 3; the others
      // from batch 2 on.
      assertEquals(3.0, s.value("pidless_values_saturated_total{type=\"histogram\"}"));
      assertEquals(2.0, s.value("pidless_values_saturated_total{type=\"summary\"}"));
      assertEquals(2.0, s.value("pidless_values_saturated_total{type=\"counter\"}"));
      assertEquals(2.0, s.value("pidless_values_saturated_total{type=\"gauge\"}"));
      assertEquals(0, p.stop(), p.output());
    }
  }
}
