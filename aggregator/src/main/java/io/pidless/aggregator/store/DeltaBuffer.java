package io.pidless.aggregator.store;

import java.util.Arrays;

/**
 * One batch's deltas, decoded and validated but not yet applied: the staging area that makes a batch
 * all-or-nothing. Column arrays, reused across batches, so decoding a batch allocates nothing once
 * warm. Confined to one connection's thread.
 */
public final class DeltaBuffer {
  private Definition[] defs = new Definition[64];
  private double[] values = new double[64];
  private long[] counts = new long[64];
  private long[] buckets = new long[256];
  private int size;
  private int bucketSize;

  /**
   * Empties the buffer. The definitions of the last batch stay referenced past {@link #size}: they are
   * the connection's own, which its series table holds as long as this buffer lives, and clearing
   * them cost a store per delta.
   */
  public void clear() {
    size = 0;
    bucketSize = 0;
  }

  public int size() {
    return size;
  }

  /** A counter increment, gauge change or gauge value. */
  public void addValue(Definition def, double value) {
    int i = next(def);
    values[i] = value;
  }

  public void addSummary(Definition def, long count, double sum) {
    int i = next(def);
    counts[i] = count;
    values[i] = sum;
  }

  /** Reserves {@code n} bucket slots for the next histogram delta; fill them via {@link #setBucket}. */
  public int reserveBuckets(int n) {
    if (bucketSize + n > buckets.length) {
      buckets = Arrays.copyOf(buckets, Math.max(buckets.length * 2, bucketSize + n));
    }
    int start = bucketSize;
    bucketSize += n;
    return start;
  }

  public void setBucket(int slot, long increment) {
    buckets[slot] = increment;
  }

  /** A histogram delta whose bucket increments start at {@code bucketStart}. */
  public void addHistogram(Definition def, int bucketStart, double sum) {
    int i = next(def);
    counts[i] = bucketStart;
    values[i] = sum;
  }

  Definition def(int i) {
    return defs[i];
  }

  double value(int i) {
    return values[i];
  }

  long count(int i) {
    return counts[i];
  }

  long bucket(int slot) {
    return buckets[slot];
  }

  private int next(Definition def) {
    if (size == defs.length) {
      int n = size * 2;
      defs = Arrays.copyOf(defs, n);
      values = Arrays.copyOf(values, n);
      counts = Arrays.copyOf(counts, n);
    }
    defs[size] = def;
    return size++;
  }
}
