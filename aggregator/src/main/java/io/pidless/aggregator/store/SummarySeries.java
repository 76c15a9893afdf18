package io.pidless.aggregator.store;

/** Summary without quantiles: quantiles cannot be merged across processes, count and sum can. */
final class SummarySeries extends Series {
  private long count;
  private double sum;

  SummarySeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
  }

  @Override
  void merge(DeltaBuffer batch, int i, long writer) {
    count += batch.count(i);
    sum += batch.value(i);
  }

  @Override
  SeriesSnapshot capture() {
    return new SeriesSnapshot(key, family, createdMillis, true, 0, count, sum, null);
  }
}
