package io.pidless.aggregator.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter or a {@code sum} gauge: one number that deltas add to, with one compare-and-set per delta
 * instead of a lock (a monitor per delta was a third of the ingest profile, docs/perf/series-layout.md).
 *
 * <p>The value is kept as its bit pattern, and "retired" is one more pattern in the same word: a
 * signalling NaN, which no sum can be (deltas are finite, refused otherwise, totals saturate at
 * ±{@code Double.MAX_VALUE}, and arithmetic only ever yields quiet NaNs). So {@link #retireInto}
 * swaps it in and gets the final value in one step: a delta racing expiry either lands before the
 * swap, and is in that final value, or sees {@link #RETIRED} and goes to the successor. Never lost,
 * never twice. No flag, no mode and no lock word: a counter is 40 bytes with compressed pointers.
 */
final class SumSeries extends Series {
  /** A signalling NaN (quiet bit clear) with a payload: not a value this series can hold. */
  static final long RETIRED = 0x7FF0_0000_DEAD_0001L;
  private static final VarHandle BITS;

  static {
    try {
      BITS = MethodHandles.lookup().findVarHandle(SumSeries.class, "bits", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** {@code Double.doubleToRawLongBits} of the value, or {@link #RETIRED}; 0 is {@code 0.0}. */
  private volatile long bits;

  SumSeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
  }

  @Override
  Applied apply(DeltaBuffer batch, int i, long writer) {
    double v = batch.value(i);
    while (true) {
      long old = bits;
      if (old == RETIRED) {
        return Applied.RETIRED;
      }
      double total = Double.longBitsToDouble(old);
      boolean saturated = Saturating.overflows(total, v);
      long next = Double.doubleToRawLongBits(Saturating.add(total, v));
      if (BITS.compareAndSet(this, old, next)) {
        return saturated ? Applied.SATURATED : Applied.MERGED;
      }
    }
  }

  @Override
  void retireInto(SeriesCopy out) {
    long last = (long) BITS.getAndSet(this, RETIRED);
    if (last != RETIRED) {
      out.add(this, true, Double.longBitsToDouble(last));
    }
  }

  @Override
  void copyTo(SeriesCopy out) {
    long b = bits;
    if (b != RETIRED) {
      out.add(this, true, Double.longBitsToDouble(b));
    }
  }
}
