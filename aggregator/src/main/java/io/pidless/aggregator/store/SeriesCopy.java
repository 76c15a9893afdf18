package io.pidless.aggregator.store;

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
 * series itself is kept for them. A family's series sit next to each other.
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
  private Series[] series;
  private boolean[] present;
  private double[] value;
  private long[] count;
  private double[] sum;
  /** Where each histogram's cumulative bucket counts start in {@link #buckets}; -1 for other types. */
  private int[] bucketStart;
  private long[] buckets;
  private int size;
  private int bucketSize;

  public SeriesCopy() {
    this(64);
  }

  SeriesCopy(int capacity) {
    series = new Series[capacity];
    present = new boolean[capacity];
    value = new double[capacity];
    count = new long[capacity];
    sum = new double[capacity];
    bucketStart = new int[capacity];
    buckets = new long[capacity];
  }

  /** Series copied. */
  public int size() {
    return size;
  }

  public SeriesKey key(int i) {
    return series[i].key;
  }

  public Family family(int i) {
    return series[i].family;
  }

  public long createdMillis(int i) {
    return series[i].createdMillis;
  }

  /** False for a gauge with no value to show (a {@code max} gauge never set, a {@code livemax} gauge without writers). */
  public boolean present(int i) {
    return present[i];
  }

  /** A counter's or a gauge's value. */
  public double value(int i) {
    return value[i];
  }

  /** A histogram's or a summary's count. */
  public long count(int i) {
    return count[i];
  }

  /** A histogram's or a summary's sum. */
  public double sum(int i) {
    return sum[i];
  }

  /** Histogram {@code i}'s count of observations up to bucket {@code b}'s bound (the last: +Inf). */
  public long cumulativeBucket(int i, int b) {
    return buckets[bucketStart[i] + b];
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
    if (bucketStart[i] >= 0) {
      cumulative = Arrays.copyOfRange(buckets, bucketStart[i], bucketStart[i] + series[i].family.bucketCount());
    }
    return new SeriesSnapshot(key(i), family(i), createdMillis(i), present[i], value[i], count[i], sum[i], cumulative);
  }

  /** Empties the copy, keeping its arrays; drops the series it held so none outlives its expiry here. */
  void clear() {
    Arrays.fill(series, 0, size, null);
    size = 0;
    bucketSize = 0;
  }

  /** Makes room for {@code n} more series without growing while batches wait. */
  void reserve(int n) {
    if (series.length - size < n) {
      int capacity = Math.max(series.length * 2, size + n);
      series = Arrays.copyOf(series, capacity);
      present = Arrays.copyOf(present, capacity);
      value = Arrays.copyOf(value, capacity);
      count = Arrays.copyOf(count, capacity);
      sum = Arrays.copyOf(sum, capacity);
      bucketStart = Arrays.copyOf(bucketStart, capacity);
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
    bucketSize = 0;
    for (int j = 0; j < listed; j++) {
      Series s = series[j];
      series[j] = null;
      s.copyTo(this);
    }
  }

  /** Appends {@code s} with these values; {@code buckets} is filled by {@link #bucket} calls right after. */
  void add(Series s, boolean isPresent, double v, long c, double sm) {
    reserve(1);
    series[size] = s;
    present[size] = isPresent;
    value[size] = v;
    count[size] = c;
    sum[size] = sm;
    bucketStart[size] = -1;
    size++;
  }

  /** Appends the next cumulative bucket count of the series just added. */
  void bucket(long cumulative) {
    if (bucketStart[size - 1] < 0) {
      bucketStart[size - 1] = bucketSize;
    }
    if (bucketSize == buckets.length) {
      buckets = Arrays.copyOf(buckets, buckets.length * 2);
    }
    buckets[bucketSize++] = cumulative;
  }
}
