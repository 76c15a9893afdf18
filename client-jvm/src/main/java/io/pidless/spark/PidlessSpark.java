package io.pidless.spark;

import io.pidless.client.PidlessClient;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;

/**
 * The one {@link PidlessClient} per JVM and socket that the accumulators and the plugin share, built
 * from the {@code spark.pidless.*} settings of the running application.
 *
 * <pre>{@code
 * // on the driver, after the last job, to wait until every driver-side update is acknowledged:
 * PidlessSpark.client(sc.getConf()).flush(Duration.ofSeconds(5));
 * }</pre>
 */
public final class PidlessSpark {
  private static final ConcurrentHashMap<Path, PidlessClient> CLIENTS = new ConcurrentHashMap<>();

  private PidlessSpark() {}

  /** The shared client for the socket {@code conf} names ({@code spark.pidless.socket}, else PIDLESS_SOCKET). */
  public static PidlessClient client(SparkConf conf) {
    return client(new PidlessConf(conf));
  }

  static PidlessClient client(PidlessConf conf) {
    return CLIENTS.computeIfAbsent(conf.socket, socket -> PidlessClient.builder().socket(socket)
        .flushInterval(conf.flushInterval).shutdownTimeout(conf.shutdownTimeout)
        .clientName("pidless-spark/0.1.0").build());
  }

  /** The settings of the application running in this JVM (executor or driver). */
  static PidlessConf currentConf() {
    SparkEnv env = SparkEnv.get();
    return new PidlessConf(env == null ? new SparkConf(false) : env.conf());
  }
}
