package io.pidless.client;

import io.pidless.protocol.MetricType;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A summary: a count and a sum of observations, merged across processes by adding. It has no
 * quantiles, since quantiles of different processes cannot be merged; use a {@link Histogram}.
 *
 * <pre>{@code
 * Summary sizes = Summary.build().name("etl_batch_bytes").help("Batch sizes.").register();
 * sizes.observe(4096);
 * }</pre>
 */
public final class Summary extends Metric<Summary.Child> {

  private Summary(Family family) {
    super(family);
  }

  public static Builder build() {
    return new Builder();
  }

  public static Builder build(String name, String help) {
    return new Builder().name(name).help(help);
  }

  public void observe(double value) {
    noLabels().observe(value);
  }

  @Override
  Child newChild(String[] labelValues) {
    return new Child(family, labelValues);
  }

  /** Builds a {@link Summary}. */
  public static final class Builder extends Metric.Builder<Builder, Summary> {
    @Override
    Summary create() {
      return new Summary(family(MetricType.SUMMARY, null, null));
    }
  }

  /** One labelled summary series. */
  public static final class Child extends Series {
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    Child(Family family, String[] labelValues) {
      super(family, labelValues);
    }

    /** Records {@code value}; NaN or infinite is an {@link IllegalArgumentException}. */
    public void observe(double value) {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("Observed value must be finite, got " + value + " for " + this);
      }
      count.increment();
      sum.add(value);
    }

    @Override
    void drain(BatchEncoder out) {
      long c = count.sumThenReset();
      double s = sum.sumThenReset();
      if ((c != 0 || s != 0) && out.checkFinite(this, s)) {
        out.delta(this).varint(c).f64(s);
      }
    }
  }
}
