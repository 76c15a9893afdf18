package io.pidless.aggregator.store;

/** Summary without quantiles: quantiles cannot be merged across processes, count and sum can. */
final class SummarySeries extends LockedSeries {
  private long count;
  private double sum;

  SummarySeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
  }

  @Override
  boolean merge(DeltaBuffer batch, int i, long writer) {
    long c = batch.count(i);
    double s = batch.value(i);
    boolean saturated = Saturating.overflows(count, c) || Saturating.overflows(sum, s);
    count = Saturating.add(count, c);
    sum = Saturating.add(sum, s);
    return saturated;
  }

  @Override
  void copyValues(SeriesCopy out) {
    out.addCounted(this, count, sum);
  }
}
