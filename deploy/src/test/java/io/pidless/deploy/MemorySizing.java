package io.pidless.deploy;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The aggregator's memory as the DaemonSet grants it: container limit, heap share of it
 * ({@code -XX:MaxRAMPercentage}) and series limit, read from {@code kubernetes/daemonset.yaml}.
 *
 * <pre>{@code
 * MemorySizing s = MemorySizing.ofDaemonSet();
 * long heap = s.heapBytes();   // 256Mi x 50% = 128 MiB
 * }</pre>
 */
record MemorySizing(long limitBytes, double maxRamPercentage, int maxSeries, String jvmOptions) {
  private static final Pattern PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");
  private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?");
  private static final Pattern SYSTEMD_SIZE = Pattern.compile("(\\d+)([KMG])?");

  static MemorySizing ofDaemonSet() {
    Map<String, Object> container = Tree.named(
        Tree.list(DeployFiles.yaml("kubernetes/daemonset.yaml"), "spec.template.spec.containers"), "aggregator");
    Map<String, String> env = KubernetesManifestsTest.env(container);
    String jvm = env.get("JDK_JAVA_OPTIONS");
    Matcher pct = PERCENTAGE.matcher(jvm);
    if (!pct.find()) {
      throw new AssertionError("JDK_JAVA_OPTIONS of the DaemonSet sets no -XX:MaxRAMPercentage: " + jvm);
    }
    return new MemorySizing(kubernetesQuantity(Tree.string(container, "resources.limits.memory")),
        Double.parseDouble(pct.group(1)), Integer.parseInt(env.get("PIDLESS_MAX_SERIES")), jvm);
  }

  /** The heap the JVM takes in the container: the limit times MaxRAMPercentage. */
  long heapBytes() {
    return (long) (limitBytes * maxRamPercentage / 100);
  }

  /** A Kubernetes memory quantity in bytes: {@code 256Mi}, {@code 1G}, {@code 1000}. */
  static long kubernetesQuantity(String q) {
    Matcher m = QUANTITY.matcher(q);
    if (!m.matches()) {
      throw new AssertionError("not a memory quantity this test reads: " + q);
    }
    long unit = switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> 1L << 10;
      case "Mi" -> 1L << 20;
      case "Gi" -> 1L << 30;
      case "k" -> 1_000L;
      case "M" -> 1_000_000L;
      case "G" -> 1_000_000_000L;
      default -> 1L;
    };
    return Long.parseLong(m.group(1)) * unit;
  }

  /** A systemd size in bytes: {@code 256M} is 256 MiB (systemd counts in 1024s). */
  static long bytes(String size) {
    Matcher m = SYSTEMD_SIZE.matcher(size);
    if (!m.matches()) {
      throw new AssertionError("not a systemd size this test reads: " + size);
    }
    int shift = switch (m.group(2) == null ? "" : m.group(2)) {
      case "K" -> 10;
      case "M" -> 20;
      case "G" -> 30;
      default -> 0;
    };
    return Long.parseLong(m.group(1)) << shift;
  }
}
