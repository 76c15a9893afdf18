package io.pidless.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * A {@link LongAccumulator} that also exports a live pidless counter. The driver value is Spark's own
 * (merge, reset and copy are LongAccumulator's), so it stays exact; on executors every {@code add}
 * also increments the counter {@code NAME_total} on the node's aggregator while tasks run.
 *
 * <p>The live counter counts every task attempt, so failed and speculative attempts show up in it
 * while the driver value leaves them out. Negative adds are not exported (a counter only goes up).
 *
 * <pre>{@code
 * PidlessAccumulator parsed = PidlessAccumulator.register(sc, "etl_records", "Records parsed.");
 * rdd.foreach(line -> parsed.add(1));
 * long exact = parsed.value();          // as sc.longAccumulator would give
 * }</pre>
 */
public class PidlessAccumulator extends LongAccumulator {
  private static final long serialVersionUID = 1L;
  private final LiveCounter live;

  /** An accumulator exporting counter {@code metricName}; register it with {@code sc.register}. */
  public PidlessAccumulator(String metricName, String help) {
    this(new LiveCounter(metricName, help));
  }

  private PidlessAccumulator(LiveCounter live) {
    this.live = live;
  }

  /** Creates and registers an accumulator named {@code name} whose counter is {@code name_total}. */
  public static PidlessAccumulator register(SparkContext sc, String name, String help) {
    PidlessAccumulator acc = new PidlessAccumulator(name, help);
    sc.register(acc, name);
    return acc;
  }

  @Override
  public void add(long v) {
    super.add(v);
    live.add(v);
  }

  @Override
  public void add(Long v) {
    add(v.longValue());
  }

  @Override
  public PidlessAccumulator copy() {
    PidlessAccumulator c = new PidlessAccumulator(live);
    c.merge(this);
    return c;
  }
}
