package io.pidless.spark;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.pidless.client.Counter;
import io.pidless.client.Gauge;
import io.pidless.client.PidlessClient;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;

/**
 * Copies one Dropwizard {@link MetricRegistry} of Spark's metrics system into a {@link PidlessClient}
 * each time {@link #poll()} runs: counters, and the counts of meters, timers and histograms, as
 * deltas since the last poll (so the aggregator's sum over the executors of a node is exact); gauges
 * as this JVM's current value, merged by {@link GaugeModes}. Names come from {@link SparkMetricNames};
 * labels only from {@code spark.pidless.labels}. Reservoir quantiles cannot be merged and are not
 * exported. Used by {@code org.apache.spark.metrics.sink.PidlessSink} and by {@link PidlessPlugin}
 * with {@code spark.pidless.metricsSystem=true}. Not thread-safe: one poller at a time.
 *
 * <pre>{@code
 * MetricRegistryExporter exporter = MetricRegistryExporter.create(SparkEnv.get().conf(), registry);
 * exporter.poll();                          // every period
 * exporter.flush();                         // at stop: waits for the aggregator's ACK
 * }</pre>
 */
public final class MetricRegistryExporter {
  private static final System.Logger LOG = System.getLogger("io.pidless.spark");

  private final PidlessConf conf;
  private final PidlessClient client;
  private final MetricRegistry registry;
  private final SparkMetricNames names;
  private final GaugeModes modes;
  /** Per registered Dropwizard name, how it is exported; {@link Skip} for what is not. */
  private final Map<String, Export> exports = new HashMap<>();
  /** Per exported Prometheus name, the Dropwizard name that owns it: a second one is skipped. */
  private final Map<String, String> owners = new HashMap<>();

  private MetricRegistryExporter(SparkConf sparkConf, MetricRegistry registry) {
    this.conf = new PidlessConf(sparkConf);
    this.client = PidlessSpark.client(conf);
    this.registry = registry;
    this.names = SparkMetricNames.of(sparkConf);
    this.modes = GaugeModes.of(sparkConf);
  }

  /** An exporter of {@code registry} for the application {@code conf} belongs to, in this JVM. */
  public static MetricRegistryExporter create(SparkConf conf, MetricRegistry registry) {
    return new MetricRegistryExporter(conf, registry);
  }

  /** Reads every metric of the registry once and records what changed. */
  public void poll() {
    for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
      Export export = exports.get(e.getKey());
      if (export == null || export.metric() != e.getValue()) {   // new, or a source registered again
        export = define(e.getKey(), e.getValue());
        exports.put(e.getKey(), export);
      }
      export.poll();
    }
  }

  /** Polls, then sends and waits for the aggregator's ACK ({@code spark.pidless.shutdownTimeout}). */
  public boolean flush() {
    poll();
    boolean acked = client.flush(conf.shutdownTimeout);
    if (!acked) {
      LOG.log(System.Logger.Level.WARNING, "pidless: Spark metrics not acknowledged by the aggregator at "
          + conf.socket + " within " + conf.shutdownTimeout + "; check that it runs on this node, or raise "
          + PidlessConf.SHUTDOWN_TIMEOUT);
    }
    return acked;
  }

  private Export define(String registered, Metric metric) {
    String base = SparkMetricNames.prometheus(names.strip(registered));
    String help = "Spark metric " + names.strip(registered) + ".";
    if (metric instanceof com.codahale.metrics.Counter) {
      return conf.counterAsGauge.matcher(base).matches() ? gauge(registered, metric, base, help)
          : counter(registered, metric, base.endsWith("_total") ? base : base + "_total", help);
    }
    if (metric instanceof Meter) {
      return counter(registered, metric, base + "_total", help + " Events marked.");
    }
    if (metric instanceof Timer || metric instanceof Histogram) {
      return counter(registered, metric, base + "_count_total", help + " Observations (quantiles are not exported).");
    }
    if (metric instanceof com.codahale.metrics.Gauge) {
      return gauge(registered, metric, base, help);
    }
    return skip(registered, metric, base, "a " + metric.getClass().getName() + " is neither a counter, meter,"
        + " timer, histogram nor gauge");
  }

  private Export counter(String registered, Metric metric, String name, String help) {
    String owner = owners.putIfAbsent(name, registered);
    if (owner != null && !owner.equals(registered)) {
      return skip(registered, metric, name, "the name is taken by " + owner);
    }
    try {
      Counter c = Counter.build(name, help).labelNames(conf.labelNames).register(client);
      return new Delta(registered, (Counting) metric, c.labels(conf.labelValues));
    } catch (IllegalArgumentException e) {
      return skip(registered, metric, name, e.getMessage());
    }
  }

  private Export gauge(String registered, Metric metric, String name, String help) {
    String owner = owners.putIfAbsent(name, registered);
    if (owner != null && !owner.equals(registered)) {
      return skip(registered, metric, name, "the name is taken by " + owner);
    }
    try {
      Gauge g = Gauge.build(name, help).mode(modes.modeOf(name)).labelNames(conf.labelNames).register(client);
      return new Current(metric, g.labels(conf.labelValues));
    } catch (IllegalArgumentException e) {
      return skip(registered, metric, name, e.getMessage());
    }
  }

  private static Export skip(String registered, Metric metric, String name, String why) {
    LOG.log(System.Logger.Level.WARNING, "pidless: Spark metric " + registered + " is not exported as " + name
        + ": " + why + " (see docs/SPARK-METRICS.md)");
    return new Skip(metric);
  }

  /** One Dropwizard metric's way out. */
  private interface Export {
    Metric metric();

    void poll();
  }

  private record Skip(Metric metric) implements Export {
    @Override
    public void poll() {}
  }

  /**
   * A count that only goes up: sends what it gained since it was last exported. What was exported is
   * kept per Dropwizard object for the whole JVM, so Spark's static sources (one per JVM, across the
   * SparkContexts it runs) and a registry reported by both the sink and the plugin count once.
   */
  private static final class Delta implements Export {
    private static final Map<Counting, AtomicLong> EXPORTED = new WeakHashMap<>();
    private final String registered;
    private final Counting metric;
    private final Counter.Child child;
    private final AtomicLong exported;

    Delta(String registered, Counting metric, Counter.Child child) {
      this.registered = registered;
      this.metric = metric;
      this.child = child;
      synchronized (EXPORTED) {
        this.exported = EXPORTED.computeIfAbsent(metric, m -> new AtomicLong());
      }
    }

    @Override
    public Metric metric() {
      return (Metric) metric;
    }

    @Override
    public void poll() {
      long now = metric.getCount();
      long last = exported.getAndAccumulate(now, Math::max);   // two pollers of one counter add each rise once
      if (now > last) {
        child.inc(now - last);
      } else if (now < last) {
        LOG.log(System.Logger.Level.WARNING, "pidless: Spark counter " + registered + " went down from " + last
            + " to " + now + "; only rises above its highest value are exported. If it is not monotonic, export it as a gauge with "
            + PidlessConf.COUNTER_AS_GAUGE + "=<regex of its Prometheus name>");
      }
    }
  }

  /**
   * A gauge (or a counter exported as one): sends this JVM's value when it changed; values that are
   * not numbers are left out.
   */
  private static final class Current implements Export {
    private final Metric metric;
    private final Gauge.Child child;
    private double last = Double.NaN;

    Current(Metric metric, Gauge.Child child) {
      this.metric = metric;
      this.child = child;
    }

    @Override
    public Metric metric() {
      return metric;
    }

    @Override
    public void poll() {
      Object v = metric instanceof Counting c ? c.getCount() : ((com.codahale.metrics.Gauge<?>) metric).getValue();
      if (v instanceof Number n) {
        double d = n.doubleValue();
        if (Double.doubleToLongBits(d) != Double.doubleToLongBits(last)) {
          last = d;
          child.set(d);
        }
      }
    }
  }
}
