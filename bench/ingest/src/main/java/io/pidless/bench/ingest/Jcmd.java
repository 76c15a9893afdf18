package io.pidless.bench.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks another JVM about its memory through {@code jcmd}: used heap after a full GC, the class
 * histogram that says where the bytes went, and native memory tracking's summary.
 *
 * <pre>{@code
 * long used = Jcmd.usedHeapAfterFullGc(agg.pid());
 * Map<String, Long> bytesByClass = Jcmd.classHistogram(agg.pid());
 * }</pre>
 */
final class Jcmd {
  /** "garbage-first heap   total 2097152K, used 123K" (G1), "tenured generation   total ..., used ..." (Serial, Parallel). */
  private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");
  private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");

  private Jcmd() {}

  /** Runs two full GCs ({@code GC.run}), then sums "used" over the heap's spaces in {@code GC.heap_info}. */
  static long usedHeapAfterFullGc(long pid) throws IOException {
    run(pid, "GC.run");
    run(pid, "GC.run");
    String info = run(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    long kib = 0;
    boolean found = false;
    while (m.find()) {
      kib += Long.parseLong(m.group(1));
      found = true;
    }
    if (!found) {
      throw new IOException("cannot find 'total NK, used NK' in jcmd GC.heap_info output:\n" + info);
    }
    return kib * 1024;
  }

  /** Bytes held per class, after the full GC that {@code GC.class_histogram} performs. */
  static Map<String, Long> classHistogram(long pid) throws IOException {
    Map<String, Long> out = new HashMap<>();
    for (String line : run(pid, "GC.class_histogram").split("\n")) {
      Matcher m = HISTOGRAM_ROW.matcher(line);
      if (m.find()) {
        out.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
      }
    }
    return out;
  }

  /** {@code VM.native_memory summary}: the JVM must run with {@code -XX:NativeMemoryTracking=summary}. */
  static String nativeMemorySummary(long pid) throws IOException {
    return run(pid, "VM.native_memory summary");
  }

  private static String run(long pid, String command) throws IOException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
        .redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("jcmd " + pid + " " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during jcmd " + command, e);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** The {@code n} classes that grew most between two histograms, as "bytes  class" lines. */
  static List<String> topGrowth(Map<String, Long> before, Map<String, Long> after, int n, long perDivisor) {
    return after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(n)
        .map(e -> String.format("%,14d B  %6.1f B/series  %s", e.getValue(), (double) e.getValue() / perDivisor,
            e.getKey()))
        .toList();
  }
}
