package io.pidless.aggregator.store;

/**
 * A consistent copy of one series, taken under the store's scrape lock so no batch is half in it.
 * {@code present} is false for a gauge that has no value to show (a {@code max} gauge never set, a
 * {@code livemax} gauge without an open writer). {@code cumulativeBuckets} is null unless a histogram.
 */
public record SeriesSnapshot(SeriesKey key, Family family, long createdMillis, boolean present,
    double value, long count, double sum, long[] cumulativeBuckets) {}
