package io.pidless.aggregator.store;

/** Fixed-bound histogram: per-bucket counts and a sum, merged by delta; count is the buckets' total. */
final class HistogramSeries extends Series {
  private final long[] buckets;
  private double sum;

  HistogramSeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
    this.buckets = new long[family.bucketCount()];
  }

  @Override
  void merge(DeltaBuffer batch, int i, long writer) {
    int start = (int) batch.count(i);
    for (int b = 0; b < buckets.length; b++) {
      buckets[b] += batch.bucket(start + b);
    }
    sum += batch.value(i);
  }

  @Override
  SeriesSnapshot capture() {
    long[] cumulative = new long[buckets.length];
    long running = 0;
    for (int b = 0; b < buckets.length; b++) {
      running += buckets[b];
      cumulative[b] = running;
    }
    return new SeriesSnapshot(key, family, createdMillis, true, 0, running, sum, cumulative);
  }
}
