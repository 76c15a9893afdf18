package io.pidless.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.util.DoubleAccumulator;

/**
 * The {@code double} twin of {@link PidlessAccumulator}: Spark's exact {@link DoubleAccumulator} on the
 * driver, plus a live pidless counter incremented by every in-task {@code add} (failed and
 * speculative attempts included; negative adds are not exported).
 *
 * <pre>{@code
 * PidlessDoubleAccumulator weight = PidlessDoubleAccumulator.register(sc, "etl_weight", "Weight parsed.");
 * rdd.foreach(r -> weight.add(r.weight()));
 * }</pre>
 */
public class PidlessDoubleAccumulator extends DoubleAccumulator {
  private static final long serialVersionUID = 1L;
  private final LiveCounter live;

  public PidlessDoubleAccumulator(String metricName, String help) {
    this(new LiveCounter(metricName, help));
  }

  private PidlessDoubleAccumulator(LiveCounter live) {
    this.live = live;
  }

  public static PidlessDoubleAccumulator register(SparkContext sc, String name, String help) {
    PidlessDoubleAccumulator acc = new PidlessDoubleAccumulator(name, help);
    sc.register(acc, name);
    return acc;
  }

  @Override
  public void add(double v) {
    super.add(v);
    live.add(v);
  }

  @Override
  public void add(Double v) {
    add(v.doubleValue());
  }

  @Override
  public PidlessDoubleAccumulator copy() {
    PidlessDoubleAccumulator c = new PidlessDoubleAccumulator(live);
    c.merge(this);
    return c;
  }
}
