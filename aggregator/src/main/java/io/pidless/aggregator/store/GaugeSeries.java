package io.pidless.aggregator.store;

/** A {@code max}, {@code min} or {@code last} gauge: one number, which it may not have yet. */
final class GaugeSeries extends LockedSeries {
  private double value;
  private boolean hasValue;

  GaugeSeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
  }

  @Override
  boolean merge(DeltaBuffer batch, int i, long writer) {
    double v = batch.value(i);
    value = switch (family.mode()) {
      case MAX -> hasValue ? Math.max(value, v) : v;
      case MIN -> hasValue ? Math.min(value, v) : v;
      default -> v;
    };
    hasValue = true;
    return false;
  }

  @Override
  void copyValues(SeriesCopy out) {
    out.add(this, hasValue, value);
  }
}
