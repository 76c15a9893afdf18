package io.pidless.spark;

import java.util.Locale;
import org.apache.spark.SparkConf;
import scala.Option;

/**
 * How a name in Spark's metrics system becomes a Prometheus name. Spark registers
 * {@code <namespace>.<executor id>.<source>.<metric>} (namespace: {@code spark.metrics.namespace},
 * else the application id); both ids are removed, never turned into labels, so every executor of
 * every run of an application writes the same series. The rest is split at dots, dashes and camel
 * case into lower-case words joined by {@code _}, after {@code spark_}:
 *
 * <pre>{@code
 * SparkMetricNames names = new SparkMetricNames("app-20261203-0001", "7");
 * names.strip("app-20261203-0001.7.ExecutorMetrics.JVMHeapMemory");   // "ExecutorMetrics.JVMHeapMemory"
 * SparkMetricNames.prometheus("ExecutorMetrics.JVMHeapMemory");          // "spark_executor_metrics_jvm_heap_memory"
 * }</pre>
 */
final class SparkMetricNames {
  private final String prefix;

  SparkMetricNames(String namespace, String executorId) {
    this.prefix = namespace + "." + executorId + ".";
  }

  /** The names of the metrics system of the application {@code conf} belongs to, in this JVM. */
  static SparkMetricNames of(SparkConf conf) {
    Option<String> ns = conf.get(org.apache.spark.internal.config.package$.MODULE$.METRICS_NAMESPACE());
    String namespace = ns.isDefined() ? ns.get() : conf.get("spark.app.id", "");
    return new SparkMetricNames(namespace, conf.get("spark.executor.id", "driver"));
  }

  /**
   * The name without this JVM's {@code <namespace>.<executor id>.} prefix. Names without it (a
   * standalone master's or worker's own metrics) are kept whole.
   */
  String strip(String registered) {
    return registered.startsWith(prefix) ? registered.substring(prefix.length()) : registered;
  }

  /**
   * {@code spark_} and the words of {@code name} in lower case joined by {@code _}: a word ends at
   * any character other than a letter or digit, and before an upper-case letter that follows a
   * lower-case letter or digit or that starts a capitalised word after an acronym ({@code JVMHeap}
   * is {@code jvm_heap}).
   */
  static String prometheus(String name) {
    StringBuilder out = new StringBuilder(name.length() + 16).append("spark_");
    int n = name.length();
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (!isAlnum(c)) {
        separate(out);
        continue;
      }
      if (Character.isUpperCase(c) && i > 0) {
        char prev = name.charAt(i - 1);
        boolean afterWord = Character.isLowerCase(prev) || Character.isDigit(prev);
        boolean endsAcronym = Character.isUpperCase(prev) && i + 1 < n && Character.isLowerCase(name.charAt(i + 1));
        if (afterWord || endsAcronym) {
          separate(out);
        }
      }
      out.append(Character.toLowerCase(c));
    }
    int end = out.length();
    while (out.charAt(end - 1) == '_') {
      end--;
    }
    out.setLength(end);
    return out.toString().toLowerCase(Locale.ROOT);
  }

  private static boolean isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static void separate(StringBuilder out) {
    if (out.charAt(out.length() - 1) != '_') {
      out.append('_');
    }
  }
}
