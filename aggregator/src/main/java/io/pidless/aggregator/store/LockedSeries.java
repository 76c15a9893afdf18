package io.pidless.aggregator.store;

/**
 * A series whose delta changes several fields together (histograms, summaries, live gauges) or
 * depends on whether it has a value yet ({@code max}, {@code min}, {@code last} gauges): writers and
 * expiry synchronize on the series itself.
 */
abstract class LockedSeries extends Series {
  /** Set under the series' lock; read without it by {@link #copyTo}, whose values no batch changes meanwhile. */
  private volatile boolean retired;

  LockedSeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
  }

  @Override
  final synchronized Applied apply(DeltaBuffer batch, int i, long writer) {
    if (retired) {
      return Applied.RETIRED;
    }
    return merge(batch, i, writer) ? Applied.SATURATED : Applied.MERGED;
  }

  @Override
  final synchronized void retireInto(SeriesCopy out) {
    retired = true;
    copyValues(out);
  }

  @Override
  final void copyTo(SeriesCopy out) {
    if (!retired) {
      copyValues(out);
    }
  }

  /** Merges delta {@code i}; true when a value saturated instead of wrapping or reaching infinity. */
  abstract boolean merge(DeltaBuffer batch, int i, long writer);

  /** {@link SeriesCopy#add}s the values, then its {@link SeriesCopy#bucket}s if a histogram. */
  abstract void copyValues(SeriesCopy out);
}
