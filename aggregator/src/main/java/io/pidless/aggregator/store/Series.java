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
  /** Set under the series' lock; read without it by {@link #copyTo}, whose values no batch changes meanwhile. */
  private volatile boolean retired;

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
    SeriesCopy last = new SeriesCopy(1);
    copyValues(last);
    return last.snapshot(0);
  }

  /**
   * Appends the series' values to {@code out}, or nothing once retired: its successor, if any, speaks
   * for it. Only while no batch is applied (the store's scrape lock), so, but for live gauges, without
   * the series' lock: that lock and a record per series drew half the samples of the locked section
   * (docs/perf/scrape-lock-2026-12-03.md).
   */
  final void copyTo(SeriesCopy out) {
    if (!retired) {
      copyValues(out);
    }
  }

  /** True while expiry must leave this series alone (a live gauge with an open writer). */
  boolean pinned() {
    return false;
  }

  /** Forgets what {@code writer} contributed to a live gauge; no-op for other series. */
  void release(long writer) {}

  /** Merges delta {@code i}; true when a value saturated instead of wrapping or reaching infinity. */
  abstract boolean merge(DeltaBuffer batch, int i, long writer);

  /** {@link SeriesCopy#add}s the values, then its {@link SeriesCopy#bucket}s if a histogram. */
  abstract void copyValues(SeriesCopy out);

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
