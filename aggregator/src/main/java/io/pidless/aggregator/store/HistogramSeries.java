package io.pidless.aggregator.store;

/** Fixed-bound histogram: per-bucket counts and a sum, merged by delta; count is the buckets' total. */
final class HistogramSeries extends LockedSeries {
  private final long[] buckets;
  private long count;
  private double sum;

  HistogramSeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
    this.buckets = new long[family.bucketCount()];
  }

  @Override
  boolean merge(DeltaBuffer batch, int i, long writer) {
    int start = (int) batch.count(i);
    boolean saturated = false;
    for (int b = 0; b < buckets.length; b++) {
      long inc = batch.bucket(start + b);
      saturated |= Saturating.overflows(buckets[b], inc) || Saturating.overflows(count, inc);
      buckets[b] = Saturating.add(buckets[b], inc);
      count = Saturating.add(count, inc);
    }
    double s = batch.value(i);
    saturated |= Saturating.overflows(sum, s);
    sum = Saturating.add(sum, s);
    return saturated;
  }

  @Override
  void copyValues(SeriesCopy out) {
    out.addCounted(this, count, sum);
    long running = 0;
    for (long b : buckets) {
      running = Saturating.add(running, b);
      out.bucket(running);
    }
  }
}
