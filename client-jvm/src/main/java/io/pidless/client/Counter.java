package io.pidless.client;

import io.pidless.protocol.MetricType;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A counter: it only goes up. Each process adds to its pending delta; the flusher sends and resets
 * it, and the aggregator sums the deltas of every process into one series without a pid label.
 *
 * <pre>{@code
 * Counter records = Counter.build().name("etl_records_total").help("Records parsed.")
 *     .labelNames("stage").register();
 * records.labels("parse").inc(3);
 * }</pre>
 */
public final class Counter extends Metric<Counter.Child> {

  private Counter(Family family) {
    super(family);
  }

  public static Builder build() {
    return new Builder();
  }

  public static Builder build(String name, String help) {
    return new Builder().name(name).help(help);
  }

  /** Adds 1 to a counter without labels. */
  public void inc() {
    noLabels().inc(1);
  }

  /** Adds {@code amt} (finite, {@code >= 0}) to a counter without labels. */
  public void inc(double amt) {
    noLabels().inc(amt);
  }

  @Override
  Child newChild(String[] labelValues) {
    return new Child(family, labelValues);
  }

  /** Builds a {@link Counter}. */
  public static final class Builder extends Metric.Builder<Builder, Counter> {
    @Override
    Counter create() {
      return new Counter(family(MetricType.COUNTER, null, null));
    }
  }

  /** One labelled counter series. {@code inc} takes no lock, allocates nothing and makes no syscall. */
  public static final class Child extends Series {
    private final DoubleAdder pending = new DoubleAdder();

    Child(Family family, String[] labelValues) {
      super(family, labelValues);
    }

    public void inc() {
      inc(1);
    }

    /** Adds {@code amt}; a negative, NaN or infinite amount is an {@link IllegalArgumentException}. */
    public void inc(double amt) {
      if (!(amt >= 0) || amt == Double.POSITIVE_INFINITY) {
        throw new IllegalArgumentException("Amount to increment must be finite and non-negative, got "
            + amt + " for " + this);
      }
      pending.add(amt);
    }

    @Override
    void drain(BatchEncoder out) {
      double d = pending.sumThenReset();
      if (d != 0) {
        if (out.checkFinite(this, d)) {
          out.delta(this).f64(d);
        }
      }
    }
  }
}
