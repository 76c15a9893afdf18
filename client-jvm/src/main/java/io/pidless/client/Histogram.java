package io.pidless.client;

import io.pidless.protocol.MetricType;
import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram: per-bucket counts and a sum, merged across processes by adding. Use it for
 * percentiles; a {@link Summary} cannot give them across processes.
 *
 * <pre>{@code
 * Histogram latency = Histogram.build().name("etl_parse_seconds").help("Parse time.")
 *     .buckets(0.1, 1, 10).register();
 * latency.observe(0.25);
 * }</pre>
 */
public final class Histogram extends Metric<Histogram.Child> {
  /** simpleclient's default buckets. */
  static final double[] DEFAULT_BUCKETS = {.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10};

  private Histogram(Family family) {
    super(family);
  }

  public static Builder build() {
    return new Builder();
  }

  public static Builder build(String name, String help) {
    return new Builder().name(name).help(help);
  }

  /** Records one observation in a histogram without labels. */
  public void observe(double value) {
    noLabels().observe(value);
  }

  @Override
  Child newChild(String[] labelValues) {
    return new Child(family, labelValues);
  }

  /** Builds a {@link Histogram}; buckets default to simpleclient's. */
  public static final class Builder extends Metric.Builder<Builder, Histogram> {
    private double[] buckets = DEFAULT_BUCKETS;

    /** Finite, strictly increasing upper bounds; a trailing {@code +Inf} is implied and may be given. */
    public Builder buckets(double... bounds) {
      int n = bounds.length;
      if (n > 0 && bounds[n - 1] == Double.POSITIVE_INFINITY) {
        n--;
      }
      for (int i = 0; i < n; i++) {
        if (!Double.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
          throw new IllegalArgumentException("Histogram buckets must be finite and strictly increasing: "
              + Arrays.toString(bounds));
        }
      }
      this.buckets = Arrays.copyOf(bounds, n);
      return this;
    }

    /** {@code count} buckets: {@code start}, {@code start + width}, ... */
    public Builder linearBuckets(double start, double width, int count) {
      double[] b = new double[count];
      for (int i = 0; i < count; i++) {
        b[i] = start + i * width;
      }
      return buckets(b);
    }

    /** {@code count} buckets: {@code start}, {@code start * factor}, ... */
    public Builder exponentialBuckets(double start, double factor, int count) {
      double[] b = new double[count];
      for (int i = 0; i < count; i++) {
        b[i] = start * Math.pow(factor, i);
      }
      return buckets(b);
    }

    @Override
    Histogram create() {
      return new Histogram(family(MetricType.HISTOGRAM, null, buckets));
    }
  }

  /** One labelled histogram series; the last bucket is {@code +Inf}. */
  public static final class Child extends Series {
    private final double[] bounds;
    private final LongAdder[] buckets;
    private final long[] drained;
    private final DoubleAdder sum = new DoubleAdder();

    Child(Family family, String[] labelValues) {
      super(family, labelValues);
      this.bounds = family.bounds;
      this.buckets = new LongAdder[bounds.length + 1];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
      this.drained = new long[buckets.length];
    }

    /** Records {@code value}; NaN or infinite is an {@link IllegalArgumentException}. */
    public void observe(double value) {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("Observed value must be finite, got " + value + " for " + this);
      }
      int i = 0;
      while (i < bounds.length && value > bounds[i]) {
        i++;
      }
      buckets[i].increment();
      sum.add(value);
    }

    @Override
    void drain(BatchEncoder out) {
      boolean any = false;
      for (int i = 0; i < buckets.length; i++) {
        drained[i] = buckets[i].sumThenReset();
        any |= drained[i] != 0;
      }
      double s = sum.sumThenReset();
      if ((!any && s == 0) || !out.checkFinite(this, s)) {
        return;
      }
      var w = out.delta(this);
      for (long c : drained) {
        w.varint(c);
      }
      w.f64(s);
    }
  }
}
