package io.pidless.aggregator.store;

import io.pidless.protocol.MetricType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The values of every series at one instant, in primitive arrays that one scrape thread reuses from
 * scrape to scrape. {@link SeriesStore#copy} fills it while batches wait, so that wait is a walk over
 * the series writing numbers into arrays: no object per series (a {@link SeriesSnapshot} each made
 * 100,000 records per scrape, and the first scrapes' copies were promoted by a young collection that
 * stalled ingest for 150-230 ms), and the exposition text is written from the copy afterwards, while
 * batches go on. Name, labels, family and {@code _created} never change in a series, so only the
 * series itself is kept for them. A family's series sit next to each other. The arrays outlive the
 * scrape, so a counter or gauge costs 16 bytes here (series, value, and where its counts are: none);
 * a histogram's or summary's count, sum and buckets go to one side array.
 *
 * <pre>{@code
 * SeriesCopy copy = new SeriesCopy();
 * store.copy(copy);
 * for (int i = 0; i < copy.size(); i++) {
 *   if (copy.present(i)) { System.out.println(copy.key(i) + " " + copy.value(i)); }
 * }
 * }</pre>
 */
public final class SeriesCopy {
  /** {@link #countsAt} of a counter or gauge with a value to show. */
  private static final int VALUE = -1;
  /** {@link #countsAt} of a gauge with no value to show. */
  private static final int ABSENT = -2;

  private Series[] series;
  private double[] value;
  /**
   * Where a histogram's or summary's count, sum (raw bits) and, for a histogram, cumulative bucket
   * counts start in {@link #counts}; {@link #VALUE} or {@link #ABSENT} for the other types.
   */
  private int[] countsAt;
  private long[] counts;
  private int size;
  private int countsSize;

  public SeriesCopy() {
    this(64);
  }

  SeriesCopy(int capacity) {
    series = new Series[capacity];
    value = new double[capacity];
    countsAt = new int[capacity];
    counts = new long[capacity];
  }

  /** Series copied. */
  public int size() {
    return size;
  }

  public SeriesKey key(int i) {
    return series[i];
  }

  public Family family(int i) {
    return series[i].family;
  }

  public long createdMillis(int i) {
    return series[i].createdMillis;
  }

  /** False for a gauge with no value to show (a {@code max} gauge never set, a {@code livemax} gauge without writers). */
  public boolean present(int i) {
    return countsAt[i] != ABSENT;
  }

  /** A counter's or a gauge's value. */
  public double value(int i) {
    return value[i];
  }

  /** A histogram's or a summary's count. */
  public long count(int i) {
    return countsAt[i] >= 0 ? counts[countsAt[i]] : 0;
  }

  /** A histogram's or a summary's sum. */
  public double sum(int i) {
    return countsAt[i] >= 0 ? Double.longBitsToDouble(counts[countsAt[i] + 1]) : 0;
  }

  /** Histogram {@code i}'s count of observations up to bucket {@code b}'s bound (the last: +Inf). */
  public long cumulativeBucket(int i, int b) {
    return counts[countsAt[i] + 2 + b];
  }

  /** Each series as a record: for readers that keep them (state file, remote write), not for scrapes. */
  public List<SeriesSnapshot> snapshots() {
    List<SeriesSnapshot> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(snapshot(i));
    }
    return out;
  }

  SeriesSnapshot snapshot(int i) {
    long[] cumulative = null;
    if (family(i).type() == MetricType.HISTOGRAM) {
      int from = countsAt[i] + 2;
      cumulative = Arrays.copyOfRange(counts, from, from + family(i).bucketCount());
    }
    return new SeriesSnapshot(key(i), family(i), createdMillis(i), present(i), value[i], count(i), sum(i), cumulative);
  }

  /** Empties the copy, keeping its arrays; drops the series it held so none outlives its expiry here. */
  void clear() {
    Arrays.fill(series, 0, size, null);
    size = 0;
    countsSize = 0;
  }

  /** Makes room for {@code n} more series without growing while batches wait. */
  void reserve(int n) {
    if (series.length - size < n) {
      int capacity = Math.max(series.length * 2, size + n);
      series = Arrays.copyOf(series, capacity);
      value = Arrays.copyOf(value, capacity);
      countsAt = Arrays.copyOf(countsAt, capacity);
    }
  }

  /**
   * Lists {@code n} series of one family, to be {@linkplain #fill filled} once every family is listed:
   * listing is all that needs the store's family lock.
   */
  void list(Series[] members, int n) {
    reserve(n);
    System.arraycopy(members, 0, series, size, n);
    size += n;
  }

  /**
   * Copies the values of the series listed, in place: a retired one is left out, its successor, if
   * any, being listed too. Runs while no batch is applied.
   */
  void fill() {
    int listed = size;
    size = 0;
    countsSize = 0;
    for (int j = 0; j < listed; j++) {
      Series s = series[j];
      series[j] = null;
      s.copyTo(this);
    }
  }

  /** Appends counter or gauge {@code s} with value {@code v}, or with none to show. */
  void add(Series s, boolean isPresent, double v) {
    reserve(1);
    series[size] = s;
    value[size] = v;
    countsAt[size] = isPresent ? VALUE : ABSENT;
    size++;
  }

  /** Appends histogram or summary {@code s}; a histogram's buckets follow by {@link #bucket} calls. */
  void addCounted(Series s, long count, double sum) {
    reserve(1);
    series[size] = s;
    countsAt[size] = countsSize;
    size++;
    put(count);
    put(Double.doubleToRawLongBits(sum));
  }

  /** Appends the next cumulative bucket count of the histogram just added. */
  void bucket(long cumulative) {
    put(cumulative);
  }

  private void put(long n) {
    if (countsSize == counts.length) {
      counts = Arrays.copyOf(counts, counts.length * 2);
    }
    counts[countsSize++] = n;
  }
}
