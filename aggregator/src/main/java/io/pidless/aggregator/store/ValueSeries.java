package io.pidless.aggregator.store;

/** Counters and the gauge modes that keep one number: {@code sum}, {@code max}, {@code min}, {@code last}. */
final class ValueSeries extends Series {
  enum Merge { ADD, MAX, MIN, LAST }

  private final Merge merge;
  private double value;
  private boolean hasValue;

  ValueSeries(SeriesKey key, Family family, long createdMillis, Merge merge) {
    super(key, family, createdMillis);
    this.merge = merge;
    this.hasValue = merge == Merge.ADD;
  }

  @Override
  boolean merge(DeltaBuffer batch, int i, long writer) {
    double v = batch.value(i);
    boolean saturated = false;
    switch (merge) {
      case ADD -> {
        saturated = Saturating.overflows(value, v);
        value = Saturating.add(value, v);
      }
      case MAX -> value = hasValue ? Math.max(value, v) : v;
      case MIN -> value = hasValue ? Math.min(value, v) : v;
      case LAST -> value = v;
    }
    hasValue = true;
    return saturated;
  }

  @Override
  void copyValues(SeriesCopy out) {
    out.add(this, hasValue, value);
  }
}
