package io.pidless.aggregator.store;

/**
 * One merged series, and its own key in the store ({@link SeriesKey} is its base: no key object per
 * series). Once expiry has {@linkplain #retire() retired} it, {@link #apply} refuses every delta so the
 * store can re-route the delta to a fresh series instead of losing it. How a kind keeps that promise
 * is its own: {@link SumSeries} with one compare-and-set per delta, the others under their lock
 * ({@link LockedSeries}).
 */
abstract class Series extends SeriesKey {
  /** What {@link #apply} did with a delta. */
  enum Applied { MERGED, SATURATED, RETIRED }

  final long createdMillis;
  /** Index in its family's members; guarded by the store's family lock. */
  int slot;

  Series(SeriesKey key, Family family, long createdMillis) {
    super(family, key.labelText());
    this.createdMillis = createdMillis;
  }

  /**
   * Applies delta {@code i} of {@code batch}: {@code SATURATED} when a value stopped at its type's
   * bound ({@link Saturating}); {@code RETIRED}, and nothing applied, when retired.
   */
  abstract Applied apply(DeltaBuffer batch, int i, long writer);

  /** Refuses every later delta, and returns the final state. */
  final SeriesSnapshot retire() {
    SeriesCopy last = new SeriesCopy(1);
    retireInto(last);
    return last.snapshot(0);
  }

  /** Refuses every later delta, and {@link SeriesCopy#add}s the final values to {@code out}. */
  abstract void retireInto(SeriesCopy out);

  /**
   * Appends the series' values to {@code out}, or nothing once retired: its successor, if any, speaks
   * for it. Only while no batch is applied (the store's scrape lock), so, but for live gauges, without
   * the series' lock: that lock and a record per series drew half the samples of the locked section
   * (docs/perf/scrape-lock-2026-12-03.md).
   */
  abstract void copyTo(SeriesCopy out);

  /** True while expiry must leave this series alone (a live gauge with an open writer). */
  boolean pinned() {
    return false;
  }

  /** Forgets what {@code writer} contributed to a live gauge; no-op for other series. */
  void release(long writer) {}

  /** A new series with the identity of {@code key}, of the kind {@code family}'s type and mode ask for. */
  static Series create(SeriesKey key, Family family, long createdMillis) {
    return switch (family.type()) {
      case COUNTER -> new SumSeries(key, family, createdMillis);
      case GAUGE -> switch (family.mode()) {
        case SUM -> new SumSeries(key, family, createdMillis);
        case MAX, MIN, LAST -> new GaugeSeries(key, family, createdMillis);
        case LIVESUM, LIVEMAX, LIVEMIN -> new LiveGaugeSeries(key, family, createdMillis);
      };
      case HISTOGRAM -> new HistogramSeries(key, family, createdMillis);
      case SUMMARY -> new SummarySeries(key, family, createdMillis);
    };
  }
}
