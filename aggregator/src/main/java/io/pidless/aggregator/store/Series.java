package io.pidless.aggregator.store;

/**
 * One merged series. Writers and the scrape synchronize on the series itself; once expiry has
 * {@linkplain #retire() retired} it, {@link #apply} refuses every delta so the store can re-route the
 * delta to a fresh series instead of losing it.
 */
abstract class Series {
  /** What {@link #apply} did with a delta. */
  enum Applied { MERGED, SATURATED, RETIRED }

  final SeriesKey key;
  final Family family;
  final long createdMillis;
  /** Index in its family's members; guarded by the store's family lock. */
  int slot;
  private boolean retired;

  Series(SeriesKey key, Family family, long createdMillis) {
    this.key = key;
    this.family = family;
    this.createdMillis = createdMillis;
  }

  /**
   * Applies delta {@code i} of {@code batch}: {@code SATURATED} when a value stopped at its type's
   * bound ({@link Saturating}); {@code RETIRED}, and nothing applied, when retired.
   */
  final synchronized Applied apply(DeltaBuffer batch, int i, long writer) {
    if (retired) {
      return Applied.RETIRED;
    }
    return merge(batch, i, writer) ? Applied.SATURATED : Applied.MERGED;
  }

  /** Refuses every later delta, and returns the final state. */
  final synchronized SeriesSnapshot retire() {
    retired = true;
    return capture();
  }

  /** A copy of the series, or null once retired: its successor, if any, speaks for it. */
  final synchronized SeriesSnapshot snapshot() {
    return retired ? null : capture();
  }

  /** True while expiry must leave this series alone (a live gauge with an open writer). */
  boolean pinned() {
    return false;
  }

  /** Forgets what {@code writer} contributed to a live gauge; no-op for other series. */
  void release(long writer) {}

  /** Merges delta {@code i}; true when a value saturated instead of wrapping or reaching infinity. */
  abstract boolean merge(DeltaBuffer batch, int i, long writer);

  abstract SeriesSnapshot capture();

  static Series create(SeriesKey key, Family family, long createdMillis) {
    return switch (family.type()) {
      case COUNTER -> new ValueSeries(key, family, createdMillis, ValueSeries.Merge.ADD);
      case GAUGE -> switch (family.mode()) {
        case SUM -> new ValueSeries(key, family, createdMillis, ValueSeries.Merge.ADD);
        case MAX -> new ValueSeries(key, family, createdMillis, ValueSeries.Merge.MAX);
        case MIN -> new ValueSeries(key, family, createdMillis, ValueSeries.Merge.MIN);
        case LAST -> new ValueSeries(key, family, createdMillis, ValueSeries.Merge.LAST);
        case LIVESUM, LIVEMAX, LIVEMIN -> new LiveGaugeSeries(key, family, createdMillis);
      };
      case HISTOGRAM -> new HistogramSeries(key, family, createdMillis);
      case SUMMARY -> new SummarySeries(key, family, createdMillis);
    };
  }
}
