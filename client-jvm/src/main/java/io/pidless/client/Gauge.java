package io.pidless.client;

import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * A gauge, merged across processes by its {@link GaugeMode} (prometheus_client's multiprocess
 * vocabulary). The default, {@code livesum}, sums each live process's current value and forgets a
 * process when it exits; {@code sum} sums each process's contribution and keeps it ({@code inc}/{@code dec}
 * change it, {@code set} replaces it; the change is what is sent); {@code max},
 * {@code min} and {@code last} keep the extreme or latest value ever set.
 *
 * <pre>{@code
 * Gauge inFlight = Gauge.build().name("etl_in_flight").help("Records being parsed.").register();
 * inFlight.inc();
 * inFlight.dec();
 * Gauge peak = Gauge.build().name("etl_peak_batch").help("Largest batch.").mode(GaugeMode.MAX).register();
 * peak.set(512);
 * }</pre>
 */
public final class Gauge extends Metric<Gauge.Child> {

  private Gauge(Family family) {
    super(family);
  }

  public static Builder build() {
    return new Builder();
  }

  public static Builder build(String name, String help) {
    return new Builder().name(name).help(help);
  }

  public void inc() {
    noLabels().inc(1);
  }

  public void inc(double amt) {
    noLabels().inc(amt);
  }

  public void dec() {
    noLabels().inc(-1);
  }

  public void dec(double amt) {
    noLabels().inc(-amt);
  }

  public void set(double value) {
    noLabels().set(value);
  }

  @Override
  Child newChild(String[] labelValues) {
    return new Child(family, labelValues);
  }

  /** Builds a {@link Gauge}; {@link #mode(GaugeMode)} defaults to {@code livesum}. */
  public static final class Builder extends Metric.Builder<Builder, Gauge> {
    private GaugeMode mode = GaugeMode.LIVESUM;

    public Builder mode(GaugeMode mode) {
      if (mode == null) {
        throw new IllegalArgumentException("Gauge mode cannot be null");
      }
      this.mode = mode;
      return this;
    }

    @Override
    Gauge create() {
      return new Gauge(family(MetricType.GAUGE, mode, null));
    }
  }

  /**
   * One labelled gauge series: this process's current value, plus what is still to be sent: in
   * {@code sum} mode the change not yet sent; in every other mode a dirty mark ({@code live*},
   * {@code last}) or the extreme set since the last flush ({@code max}, {@code min}).
   */
  public static final class Child extends Series {
    /** Bits of a NaN no arithmetic produces: "nothing pending". */
    private static final long NONE = 0x7ff8dead0000beefL;
    private final DoubleAdder change;
    private final AtomicLong current = new AtomicLong(Double.doubleToLongBits(0));
    private final AtomicLong pending = new AtomicLong(NONE);
    private volatile boolean written;

    Child(Family family, String[] labelValues) {
      super(family, labelValues);
      this.change = family.mode == GaugeMode.SUM ? new DoubleAdder() : null;
    }

    public void inc() {
      inc(1);
    }

    public void dec() {
      inc(-1);
    }

    public void dec(double amt) {
      inc(-amt);
    }

    /** Adds {@code amt}; in {@code sum} mode a NaN or infinite amount is an {@link IllegalArgumentException}. */
    public void inc(double amt) {
      if (change != null) {
        requireFinite(amt, "Amount to change");
      }
      long prev;
      long next;
      do {
        prev = current.get();
        next = Double.doubleToLongBits(Double.longBitsToDouble(prev) + amt);
      } while (!current.compareAndSet(prev, next));
      if (change != null) {
        change.add(amt);
      } else {
        record(Double.longBitsToDouble(next));
      }
    }

    /**
     * Sets this process's value. In {@code sum} mode it is this process's contribution to the sum:
     * the change from the previous contribution is sent (as prometheus_client's multiprocess
     * {@code sum} gauge, and pidless-py's), and a NaN or infinite value is an
     * {@link IllegalArgumentException}.
     */
    public void set(double value) {
      if (change != null) {
        requireFinite(value, "Value");
        change.add(value - Double.longBitsToDouble(current.getAndSet(Double.doubleToLongBits(value))));
        return;
      }
      current.set(Double.doubleToLongBits(value));
      record(value);
    }

    /** This process's current value ({@code sum} mode: its contribution, sent or not). */
    public double get() {
      return Double.longBitsToDouble(current.get());
    }

    private void requireFinite(double v, String what) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(what + " of a sum gauge must be finite, got " + v + " for " + this);
      }
    }

    private void record(double value) {
      written = true;
      switch (family.mode) {
        case MAX -> pending.accumulateAndGet(Double.doubleToLongBits(value),
            (p, v) -> p == NONE ? v : Double.doubleToLongBits(
                Math.max(Double.longBitsToDouble(p), Double.longBitsToDouble(v))));
        case MIN -> pending.accumulateAndGet(Double.doubleToLongBits(value),
            (p, v) -> p == NONE ? v : Double.doubleToLongBits(
                Math.min(Double.longBitsToDouble(p), Double.longBitsToDouble(v))));
        default -> pending.set(0);
      }
    }

    @Override
    void drain(BatchEncoder out) {
      if (change != null) {
        double d = change.sumThenReset();
        if (d != 0 && out.checkFinite(this, d)) {
          out.delta(this).f64(d);
        }
        return;
      }
      long p = pending.getAndSet(NONE);
      if (p == NONE) {
        return;
      }
      boolean extreme = family.mode == GaugeMode.MAX || family.mode == GaugeMode.MIN;
      out.delta(this).f64(Double.longBitsToDouble(extreme ? p : current.get()));
    }

    /** The aggregator dropped this connection's live value when it closed: send it again. */
    @Override
    void afterReconnect() {
      if (family.mode.isLive() && written) {
        pending.set(0);
      }
    }
  }
}
