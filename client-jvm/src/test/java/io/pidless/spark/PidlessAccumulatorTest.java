package io.pidless.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.util.DoubleAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * The driver value must be exactly Spark's: the same adds, copies, resets and merges give the same
 * sum, count and average as {@link LongAccumulator} / {@link DoubleAccumulator}. Outside a task
 * nothing is exported, so these need no aggregator.
 */
class PidlessAccumulatorTest {

  @Test
  void longVariantBehavesLikeLongAccumulator() {
    PidlessAccumulator ours = new PidlessAccumulator("t_records", "Records.");
    LongAccumulator spark = new LongAccumulator();
    for (long v : new long[] {3, -2, 10, 0}) {
      ours.add(v);
      spark.add(v);
    }
    ours.add(Long.valueOf(5));
    spark.add(Long.valueOf(5));
    assertEquals(spark.value(), ours.value());
    assertEquals(spark.count(), ours.count());
    assertEquals(spark.avg(), ours.avg());

    PidlessAccumulator copy = ours.copy();
    assertEquals(ours.value(), copy.value());
    assertEquals(ours.count(), copy.count());
    assertInstanceOf(PidlessAccumulator.class, ours.copyAndReset());
    assertTrue(ours.copyAndReset().isZero());

    LongAccumulator plain = new LongAccumulator();
    plain.add(7);
    copy.merge(plain);
    spark.merge(plain);
    assertEquals(spark.value(), copy.value());
    spark.merge(ours);
    assertEquals(spark.value(), 2 * ours.value() + 7);
    copy.reset();
    assertTrue(copy.isZero());
    assertThrows(UnsupportedOperationException.class, () -> copy.merge(otherKind()));
  }

  /** A double accumulator passed where a long one is expected, as Spark's own merge check sees it. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static org.apache.spark.util.AccumulatorV2<Long, Long> otherKind() {
    return (org.apache.spark.util.AccumulatorV2) new DoubleAccumulator();
  }

  @Test
  void doubleVariantBehavesLikeDoubleAccumulator() {
    PidlessDoubleAccumulator ours = new PidlessDoubleAccumulator("t_weight", "Weight.");
    DoubleAccumulator spark = new DoubleAccumulator();
    for (double v : new double[] {0.25, 1.5, -0.75}) {
      ours.add(v);
      spark.add(v);
    }
    assertEquals(spark.value(), ours.value());
    assertEquals(spark.count(), ours.count());
    PidlessDoubleAccumulator copy = ours.copy();
    copy.merge(spark);
    assertEquals(2 * spark.sum(), copy.sum());
    assertTrue(ours.copyAndReset().isZero());
  }

  @Test
  void invalidMetricNameFailsAtConstruction() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PidlessAccumulator("records parsed", "Records."));
    assertTrue(e.getMessage().contains("Invalid metric name: records parsed"), e.getMessage());
  }
}
