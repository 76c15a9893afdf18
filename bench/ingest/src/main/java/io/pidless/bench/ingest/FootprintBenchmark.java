package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resident memory with the JVM options deploy/ ships: VmRSS of an idle aggregator (started, scraped
 * {@value #IDLE_SCRAPES} times as Prometheus scrapes, settled), then of the same process holding
 * {@code scrapeSeries} counters filled through its socket and scraped {@value #FULL_SCRAPES} times
 * (OpenMetrics, gzip), every total checked exactly. A second process runs the same steps with
 * {@code -XX:NativeMemoryTracking=summary} to say where the bytes are (NMT costs a little memory
 * itself, so the judged figures come from the first).
 *
 * <pre>{@code
 * FootprintBenchmark.Run r = FootprintBenchmark.run(settings, List.of("-Xmx256m", "-XX:+UseSerialGC"));
 * r.idle().rss();   // bytes
 * }</pre>
 */
final class FootprintBenchmark {
  static final int CONNECTIONS = 4;
  static final int IDLE_SCRAPES = 3;
  static final int FULL_SCRAPES = 5;
  static final String METRIC = "bench_footprint_total";
  /** SerialGC's old-generation collector, as the aggregator's jvm_gc_* metrics name it. */
  static final String FULL_GC_SAMPLE = "jvm_gc_collection_seconds_count{gc=\"MarkSweepCompact\"}";
  private static final Pattern NMT_CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)",
      Pattern.MULTILINE);

  /**
   * /proc/PID/status figures in bytes, old-generation collections so far (what a small heap costs), and
   * NMT's committed KiB per category (empty without NMT).
   */
  record Memory(long rss, long hwm, long rssAnon, long rssFile, int threads, long fullCollections,
      Map<String, Long> nmtCommittedKib) {}

  /** Idle and full, without NMT (judged), and with it (where the bytes are). */
  record Run(Memory idle, Memory full, Memory idleNmt, Memory fullNmt, long series) {}

  private FootprintBenchmark() {}

  static Run run(BenchSettings s, List<String> deployJvm) throws IOException {
    Memory[] plain = measure(s, deployJvm, false);
    Memory[] nmt = measure(s, deployJvm, true);
    return new Run(plain[0], plain[1], nmt[0], nmt[1], s.scrapeSeries());
  }

  private static Memory[] measure(BenchSettings s, List<String> deployJvm, boolean nmt) throws IOException {
    List<String> jvm = new ArrayList<>(deployJvm);
    if (nmt) {
      jvm.add("-XX:NativeMemoryTracking=summary");
    }
    int perConnection = s.scrapeSeries() / CONNECTIONS;
    long series = (long) perConnection * CONNECTIONS;
    try (BenchAggregator agg = BenchAggregator.start(c -> s.command(c).jvmOptions(jvm),
        "--max-series", Long.toString(series))) {
      MetricsClient metrics = new MetricsClient(agg.metricsUri());
      for (int i = 0; i < IDLE_SCRAPES; i++) {
        metrics.getAsPrometheus();
        pause(500);
      }
      pause(2000);
      Memory idle = memory(agg.pid(), nmt, metrics.samples());
      long acked = SeriesFiller.fill(agg.socket(), CONNECTIONS, perConnection, k -> CounterSeries.of(METRIC, k));
      if (acked != series) {
        throw new Exactness.Mismatch(acked + " deltas ACKed while creating " + series + " series");
      }
      for (int i = 0; i < FULL_SCRAPES; i++) {
        Scrape samples = Scrape.parse(metrics.getAsPrometheus());
        Exactness.expectSum(samples, METRIC, series);
      }
      Scrape samples = metrics.samples();
      for (int k = 0; k < CONNECTIONS; k++) {
        CounterSeries cs = CounterSeries.of(METRIC, k);
        for (int n = 0; n < perConnection; n++) {
          Exactness.expect(samples, cs.sampleKey(n), 1);
        }
      }
      Memory full = memory(agg.pid(), nmt, samples);
      agg.stop();
      return new Memory[] {idle, full};
    }
  }

  private static Memory memory(long pid, boolean nmt, Scrape samples) throws IOException {
    String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
    if (!samples.has(FULL_GC_SAMPLE)) {
      throw new IOException("the scrape has no " + FULL_GC_SAMPLE + ": footprint needs SerialGC and --jvm-metrics true");
    }
    return new Memory(kib(status, "VmRSS") * 1024, kib(status, "VmHWM") * 1024, kib(status, "RssAnon") * 1024,
        kib(status, "RssFile") * 1024, (int) kib(status, "Threads"), (long) samples.value(FULL_GC_SAMPLE),
        nmt ? nmtCategories(pid) : Map.of());
  }

  private static void pause(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the aggregator settled", e);
    }
  }

  private static long kib(String status, String field) throws IOException {
    Matcher m = Pattern.compile("^" + field + ":\\s+(\\d+)", Pattern.MULTILINE).matcher(status);
    if (!m.find()) {
      throw new IOException("no " + field + " in /proc/PID/status:\n" + status);
    }
    return Long.parseLong(m.group(1));
  }

  /** Committed KiB per NMT category, in the order NMT prints them. */
  static Map<String, Long> nmtCategories(long pid) throws IOException {
    String summary = Jcmd.nativeMemorySummary(pid);
    Map<String, Long> out = new LinkedHashMap<>();
    Matcher m = NMT_CATEGORY.matcher(summary);
    while (m.find()) {
      out.put(m.group(1).trim(), Long.parseLong(m.group(2)));
    }
    if (out.isEmpty()) {
      throw new IOException("no categories in jcmd VM.native_memory summary:\n" + summary);
    }
    return out;
  }
}
