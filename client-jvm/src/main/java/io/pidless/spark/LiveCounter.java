package io.pidless.spark;

import io.pidless.client.Counter;
import io.pidless.protocol.Names;
import java.io.Serializable;
import org.apache.spark.TaskContext;

/**
 * The live pidless counter behind a {@link PidlessAccumulator}: travels with the accumulator to the
 * executors and adds every in-task {@code add} to a counter labelled per application. Outside a task
 * (on the driver) it does nothing, so the driver's merges are not counted twice. It never throws
 * into the task: a metric that cannot be registered is reported once and skipped.
 */
final class LiveCounter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final System.Logger LOG = System.getLogger("io.pidless.spark");

  private final String metricName;
  private final String help;
  private transient volatile Counter.Child child;
  private transient volatile boolean disabled;

  LiveCounter(String metricName, String help) {
    Names.checkMetricName(metricName);
    this.metricName = metricName;
    this.help = help;
  }

  String metricName() {
    return metricName;
  }

  String help() {
    return help;
  }

  void add(double v) {
    if (disabled || TaskContext.get() == null) {
      return;
    }
    if (!(v >= 0) || v == Double.POSITIVE_INFINITY) {
      disable("an add of " + v + " (a counter only goes up: negative and non-finite adds count in the "
          + "driver value but are not exported)");
      return;
    }
    Counter.Child c = child;
    if (c == null) {
      try {
        PidlessConf conf = PidlessSpark.currentConf();
        c = Counter.build(metricName, help).labelNames(conf.labelNames).register(PidlessSpark.client(conf))
            .labels(conf.labelValues);
        child = c;
      } catch (IllegalArgumentException | IllegalStateException e) {
        disable(e.getMessage());
        return;
      }
    }
    c.inc(v);
  }

  private void disable(String why) {
    disabled = true;
    LOG.log(System.Logger.Level.WARNING, "pidless: accumulator counter " + metricName + " stops exporting in "
        + "this task: " + why);
  }
}
