package io.pidless.spark;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * Runs a {@link MetricRegistryExporter} every period on a daemon thread, and once more with a flush
 * that waits for the aggregator's ACK on {@link #report()} and {@link #stop()}, where Spark reports
 * its metrics at executor and driver shutdown. An executor starts its metrics system before
 * {@link SparkEnv} is set, so the application's settings are read at the first poll that finds them;
 * until then the registry's counts simply wait, nothing is lost.
 *
 * <pre>{@code
 * RegistryReporter r = RegistryReporter.forCurrentApp(registry, Duration.ofSeconds(10));
 * r.start();
 * r.stop();    // last poll, flush, ACK
 * }</pre>
 */
public final class RegistryReporter {
  private static final System.Logger LOG = System.getLogger("io.pidless.spark");

  private final MetricRegistry registry;
  private final Duration period;
  private final Supplier<SparkConf> conf;
  private final ScheduledExecutorService scheduler;
  private MetricRegistryExporter exporter;
  private boolean warned;

  private RegistryReporter(MetricRegistry registry, Duration period, Supplier<SparkConf> conf) {
    this.registry = registry;
    this.period = period;
    this.conf = conf;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "pidless-metrics-system");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Reports {@code registry} with the settings of the application running in this JVM, once they are
   * complete: the driver learns its application id after its plugins and metrics system are built.
   */
  public static RegistryReporter forCurrentApp(MetricRegistry registry, Duration period) {
    return new RegistryReporter(registry, period, () -> {
      SparkEnv env = SparkEnv.get();
      return env == null || !env.conf().contains("spark.app.id") ? null : env.conf();
    });
  }

  public void start() {
    scheduler.scheduleAtFixedRate(this::poll, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls now and waits until the aggregator acknowledged everything recorded so far. */
  public synchronized void report() {
    MetricRegistryExporter e = exporter();
    if (e != null) {
      e.flush();
    }
  }

  /** Stops polling, then {@link #report()}s once more. */
  public void stop() {
    scheduler.shutdown();
    report();
  }

  synchronized void poll() {
    try {
      MetricRegistryExporter e = exporter();
      if (e != null) {
        e.poll();
      }
    } catch (RuntimeException ex) {
      // a periodic task that throws is never run again: log, and try at the next period
      LOG.log(warned ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
          "pidless: exporting Spark's metrics system failed; retrying every " + period, ex);
      warned = true;
    }
  }

  private MetricRegistryExporter exporter() {
    if (exporter == null) {
      SparkConf c = conf.get();
      if (c == null) {
        LOG.log(System.Logger.Level.DEBUG, "pidless: Spark's environment or application id is not set yet; polling later");
        return null;
      }
      exporter = MetricRegistryExporter.create(c, registry);
    }
    return exporter;
  }
}
