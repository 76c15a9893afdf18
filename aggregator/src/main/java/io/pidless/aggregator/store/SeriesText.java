package io.pidless.aggregator.store;

/**
 * What a series or a family costs in the series-text budget ({@code --max-series-bytes}): the bytes a
 * scrape writes for it. A series writes its name and label text on every exposition line (a
 * histogram's buckets each, then count, sum and created), so long label values cost what they cost
 * in the heap <em>and</em> in every scrape; a family writes its HELP and TYPE lines once. Both are
 * computed from what the store keeps, so the bytes given back at expiry equal those taken.
 *
 * <pre>{@code
 * long bytes = SeriesText.of(key);   // a counter: 2 lines of name, labels and value
 * }</pre>
 */
final class SeriesText {
  /** A line's value, timestamp-free, its separators, newline, and a histogram's {@code le} label. */
  static final int LINE_OVERHEAD = 40;

  private SeriesText() {}

  /** Bytes of the series {@code key} in one scrape. */
  static long of(SeriesKey key) {
    return (long) lines(key.family) * (key.name().length() + key.labelText().length + LINE_OVERHEAD);
  }

  /** Bytes of {@code family}'s HELP and TYPE lines and of its label names, once per family. */
  static long ofFamily(Family family) {
    long bytes = 2L * (family.name().length() + LINE_OVERHEAD) + family.help().length();
    for (String label : family.labelNameArray()) {
      bytes += label.length();
    }
    return bytes;
  }

  /** Exposition lines per series: created included, as counters, histograms and summaries carry it. */
  static int lines(Family family) {
    return switch (family.type()) {
      case COUNTER -> 2;
      case GAUGE -> 1;
      case HISTOGRAM -> family.bucketCount() + 3;
      case SUMMARY -> 3;
    };
  }
}
