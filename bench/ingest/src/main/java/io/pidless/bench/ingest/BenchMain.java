package io.pidless.bench.ingest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Runs the aggregator benchmark: ingest (beside a raw sink), churn, scrape, heap, restart and resident
 * memory under deploy/'s JVM options (footprint), each scenario
 * {@code --repeats} times against a fresh aggregator process, then prints one summary table of the
 * median figures. Exit 0: every target met; 1: a target missed; 2: a run failed, or the scraped totals
 * did not match what was ACKed.
 *
 * <pre>{@code
 * java -jar pidless-bench-ingest.jar --aggregator-jar aggregator/target/pidless-aggregator.jar --repeats 3
 * java -jar pidless-bench-ingest.jar --quick --only ingest,churn     # smoke run, a tenth of the scale
 * }</pre>
 */
public final class BenchMain {
  private static final Set<String> SCENARIOS = Set.of("ingest", "churn", "scrape", "scrape-acks", "heap", "restart",
      "footprint");
  private static final String USAGE = "usage: pidless-bench-ingest [--aggregator-jar PATH] [--aggregator-jvm-opts "
      + "'-Xmx2g ...'] [--repeats N] [--quick] [--only ingest,churn,scrape,scrape-acks,heap,restart,footprint]\n"
      + "  [--deploy-env deploy/systemd/pidless.env]  (footprint runs with its PIDLESS_JAVA_OPTS)\n"
      + "  [--warmup SECONDS] [--duration SECONDS]  (per scenario; default 10 and 10)\n"
      + "  the jar defaults to $PIDLESS_AGGREGATOR_JAR (or -Dpidless.aggregator.jar)";

  private BenchMain() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (IllegalArgumentException e) {
      System.err.println("pidless-bench-ingest: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
    } catch (IOException | RuntimeException | AssertionError e) {   // AssertionError: a bounded wait ran out
      System.err.println("pidless-bench-ingest: FAILED: " + e.getMessage());
      e.printStackTrace();
      System.exit(2);
    }
  }

  static int run(String[] args) throws IOException {
    String jar = System.getProperty("pidless.aggregator.jar", System.getenv("PIDLESS_AGGREGATOR_JAR"));
    String jvmOpts = "-Xmx2g";
    int repeats = 1;
    boolean quick = false;
    Set<String> only = SCENARIOS;
    Duration warmup = null;
    Duration duration = null;
    Path deployEnv = System.getenv("PIDLESS_DEPLOY_ENV") == null ? null : Path.of(System.getenv("PIDLESS_DEPLOY_ENV"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--aggregator-jar" -> jar = value(args, ++i);
        case "--aggregator-jvm-opts" -> jvmOpts = value(args, ++i);
        case "--repeats" -> repeats = Integer.parseInt(value(args, ++i));
        case "--quick" -> quick = true;
        case "--only" -> only = Set.of(value(args, ++i).split(","));
        case "--warmup" -> warmup = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
        case "--duration" -> duration = Duration.ofSeconds(Long.parseLong(value(args, ++i)));
        case "--deploy-env" -> deployEnv = Path.of(value(args, ++i));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (jar == null) {
      throw new IllegalArgumentException("no aggregator jar: pass --aggregator-jar or set PIDLESS_AGGREGATOR_JAR");
    }
    if (!SCENARIOS.containsAll(only)) {
      throw new IllegalArgumentException("--only takes some of " + SCENARIOS + ", got " + only);
    }
    List<String> jvm = jvmOpts.isBlank() ? List.of() : Arrays.asList(jvmOpts.trim().split("\\s+"));
    BenchSettings s = quick ? BenchSettings.quick(Path.of(jar), jvm, repeats) : BenchSettings.full(Path.of(jar), jvm, repeats);
    s = s.timing(warmup != null ? warmup : s.warmup(), duration != null ? duration : s.duration());
    SummaryTable table = new SummaryTable();
    List<String> details = new ArrayList<>();
    if (only.contains("ingest")) {
      ingest(s, table, details);
    }
    if (only.contains("churn")) {
      churn(s, table, details);
    }
    if (only.contains("scrape")) {
      scrape(s, table, details);
    }
    if (only.contains("scrape-acks")) {
      scrapeAcks(s, table, details);
    }
    if (only.contains("heap")) {
      heap(s, table, details);
    }
    if (only.contains("restart")) {
      restart(s, table, details);
    }
    if (only.contains("footprint")) {
      footprint(s, DeployEnv.javaOptions(deployEnv), table, details);
    }
    System.out.println();
    System.out.println("pidless aggregator benchmark: " + s.aggregatorJar() + ", aggregator JVM " + jvm + ", "
        + Runtime.getRuntime().availableProcessors() + " cores, generator on the same cores; medians of "
        + s.repeats() + " run(s), " + s.warmup().toSeconds() + " s warmup + " + s.duration().toSeconds()
        + " s measured" + (s.judged() ? "" : " -- SMOKE RUN at reduced scale, targets not judged"));
    System.out.print(table.render());
    details.forEach(System.out::println);
    return !s.judged() || table.allPass() ? 0 : 1;
  }

  private static void ingest(BenchSettings s, SummaryTable table, List<String> details) throws IOException {
    List<IngestBenchmark.Run> runs = new ArrayList<>();
    for (int i = 1; i <= s.repeats(); i++) {
      IngestBenchmark.Run r = IngestBenchmark.run(s);
      progress("ingest", i, s, String.format("aggregator %,.0f deltas/s, raw sink %,.0f deltas/s (ratio %.3f), "
          + "framing+ACK sink %,.0f deltas/s (ratio %.3f), %.2f B/delta, aggregator used %.2f cores, generator+raw "
          + "sink %.2f cores, %,d deltas checked exact", r.aggregatorRate(), r.sinkRate(), r.ratio(), r.ackingSinkRate(),
          r.ackingRatio(), r.bytesPerDelta(), r.aggregatorCores(), r.rawPhaseCores(), r.checkedDeltas()));
      runs.add(r);
    }
    double agg = median(runs, IngestBenchmark.Run::aggregatorRate);
    double sink = median(runs, IngestBenchmark.Run::sinkRate);
    double ratio = median(runs, IngestBenchmark.Run::ratio);
    String what = "ingest: " + IngestBenchmark.CONNECTIONS + " conns, batches of " + IngestBenchmark.BATCH;
    table.row(what, String.format("%,.0f deltas/s", agg), String.format("raw sink %,.0f deltas/s", sink),
        String.format("%.3f", ratio), ">= 2,000,000 deltas/s", agg >= 2_000_000);
    table.row("ingest: share of raw sink rate", String.format("%.3f", ratio), "", "", ">= 0.50", ratio >= 0.5);
    table.info("ingest vs framing+ACK sink", String.format("%,.0f deltas/s", agg),
        String.format("framing+ACK sink %,.0f deltas/s", median(runs, IngestBenchmark.Run::ackingSinkRate)),
        String.format("%.3f", median(runs, IngestBenchmark.Run::ackingRatio)));
    details.add("ingest deltas/s per run (aggregator / raw sink / framing+ACK sink): " + list(runs,
        r -> String.format("%,.0f / %,.0f / %,.0f", r.aggregatorRate(), r.sinkRate(), r.ackingSinkRate())));
  }

  private static void churn(BenchSettings s, SummaryTable table, List<String> details) throws IOException {
    List<ChurnBenchmark.Run> runs = new ArrayList<>();
    for (int i = 1; i <= s.repeats(); i++) {
      ChurnBenchmark.Run r = ChurnBenchmark.run(s);
      progress("churn", i, s, String.format("aggregator %,.0f conn/s, canned-answer sink %,.0f conn/s, ratio %.3f, "
          + "aggregator used %.2f cores, %,d connections checked exact", r.aggregatorRate(), r.baselineRate(), r.ratio(),
          r.aggregatorCores(), r.checkedConnections()));
      runs.add(r);
    }
    double agg = median(runs, ChurnBenchmark.Run::aggregatorRate);
    table.row("churn: connect, HELLO, " + ChurnBenchmark.SERIES + " DEFINEs, BATCH, ACK, close",
        String.format("%,.0f conn/s", agg),
        String.format("canned-answer sink %,.0f conn/s", median(runs, ChurnBenchmark.Run::baselineRate)),
        String.format("%.3f", median(runs, ChurnBenchmark.Run::ratio)), ">= 5,000 conn/s", agg >= 5_000);
    details.add("churn conn/s per run (aggregator / canned-answer sink): " + list(runs,
        r -> String.format("%,.0f / %,.0f", r.aggregatorRate(), r.baselineRate())));
  }

  private static void scrape(BenchSettings s, SummaryTable table, List<String> details) throws IOException {
    List<Long> agg = new ArrayList<>();
    List<Long> base = new ArrayList<>();
    int bytes = 0;
    for (int i = 1; i <= s.repeats(); i++) {
      ScrapeBenchmark.Run r = ScrapeBenchmark.run(s);
      progress("scrape", i, s, String.format("aggregator median %.1f ms max %.1f ms, static median %.1f ms, %,d bytes",
          ms(Stats.median(r.aggregatorNanos())), ms(Stats.max(r.aggregatorNanos())), ms(Stats.median(r.baselineNanos())),
          r.bodyBytes()));
      agg.addAll(r.aggregatorNanos());
      base.addAll(r.baselineNanos());
      bytes = r.bodyBytes();
    }
    double med = ms(Stats.median(agg));
    double baseMed = ms(Stats.median(base));
    String what = String.format("scrape %,d series (%,d B), median of %d", s.scrapeSeries(), bytes, agg.size());
    table.row(what, String.format("%.1f ms", med), String.format("same bytes, static %.1f ms", baseMed),
        String.format("%.1fx", med / baseMed), "<= 150 ms", med <= 150);
    table.info(String.format("scrape %,d series, max of %d", s.scrapeSeries(), agg.size()),
        String.format("%.1f ms", ms(Stats.max(agg))), String.format("static max %.1f ms", ms(Stats.max(base))), "");
    details.add("scrape ms, every timed scrape: " + list(agg, n -> String.format("%.1f", ms(n))));
  }

  private static void scrapeAcks(BenchSettings s, SummaryTable table, List<String> details) throws IOException {
    List<ScrapeAckBenchmark.Run> runs = new ArrayList<>();
    for (int i = 1; i <= s.repeats(); i++) {
      ScrapeAckBenchmark.Run r = ScrapeAckBenchmark.run(s);
      progress("scrape-acks", i, s, String.format("ACK round trip p50/p99/max %.2f/%.2f/%.2f ms during %d bursts of"
          + " %d scrapes (%d ACKs), %.2f/%.2f/%.2f ms without (%d ACKs); bursts took %s ms; every scrape exact",
          ms(r.burst().p50()), ms(r.burst().p99()), ms(r.burst().max()), ScrapeAckBenchmark.BURSTS,
          ScrapeAckBenchmark.SCRAPES, r.burst().count(), ms(r.quiet().p50()), ms(r.quiet().p99()), ms(r.quiet().max()),
          r.quiet().count(), list(r.burstNanos(), n -> String.format("%.0f", ms(n)))));
      runs.add(r);
    }
    double p99 = median(runs, r -> ms(r.burst().p99()));
    double quietP99 = median(runs, r -> ms(r.quiet().p99()));
    String what = String.format("ingest ACK p99 during %d scrapes of %,d series (deploy/ JVM)",
        ScrapeAckBenchmark.SCRAPES, s.scrapeSeries());
    table.row(what, String.format("%.2f ms", p99), String.format("no scrapes %.2f ms", quietP99),
        String.format("%.1fx", p99 / quietP99), "< 10 ms", p99 < 10);
    table.info("ingest ACK p50 during the scrapes", String.format("%.2f ms", median(runs, r -> ms(r.burst().p50()))),
        String.format("no scrapes %.2f ms", median(runs, r -> ms(r.quiet().p50()))), "");
    details.add("ACK p99 ms per run (during scrapes / without): " + list(runs,
        r -> String.format("%.2f / %.2f", ms(r.burst().p99()), ms(r.quiet().p99()))));
  }

  private static void heap(BenchSettings s, SummaryTable table, List<String> details) throws IOException {
    List<HeapBenchmark.Run> runs = new ArrayList<>();
    for (int i = 1; i <= s.repeats(); i++) {
      HeapBenchmark.Run r = HeapBenchmark.run(s);
      progress("heap", i, s, String.format("%.1f B/series (used %,d -> %,d B for %,d series); full scrape %.0f ms",
          r.bytesPerSeries(), r.usedBefore(), r.usedAfter(), r.series(), ms(r.fullScrapeNanos())));
      runs.add(r);
    }
    double per = median(runs, HeapBenchmark.Run::bytesPerSeries);
    table.row(String.format("heap per counter series at %,d series", s.heapSeries()), String.format("%.1f B", per),
        "", "", "<= 400 B", per <= 400);
    table.info(String.format("full scrape of %,d series", s.heapSeries()),
        String.format("%.0f ms", median(runs, r -> ms(r.fullScrapeNanos()))), "", "");
    details.add("heap growth by class, last run (GC.class_histogram after - before):");
    details.addAll(runs.get(runs.size() - 1).topGrowth());
  }

  private static void restart(BenchSettings s, SummaryTable table, List<String> details) throws IOException {
    List<RestartBenchmark.Run> runs = new ArrayList<>();
    for (int i = 1; i <= s.repeats(); i++) {
      RestartBenchmark.Run r = RestartBenchmark.run(s);
      progress("restart", i, s, String.format("stop %.0f ms (without state file %.0f ms), start %.0f ms (without %.0f"
          + " ms), state file %,d B, every series restored exact", ms(r.stopNanos()), ms(r.baselineStopNanos()),
          ms(r.startNanos()), ms(r.baselineStartNanos()), r.stateBytes()));
      runs.add(r);
    }
    double stop = median(runs, r -> ms(r.stopNanos()));
    double baseStop = median(runs, r -> ms(r.baselineStopNanos()));
    double start = median(runs, r -> ms(r.startNanos()));
    double baseStart = median(runs, r -> ms(r.baselineStartNanos()));
    table.info(String.format("restart, %,d series: SIGTERM to exit (drain, save)", s.scrapeSeries()),
        String.format("%.0f ms", stop), String.format("--state-file off %.0f ms", baseStop),
        String.format("%.1fx", stop / baseStop));
    table.info(String.format("restart, %,d series: launch to serving (restore)", s.scrapeSeries()),
        String.format("%.0f ms", start), String.format("--state-file off %.0f ms", baseStart),
        String.format("%.1fx", start / baseStart));
    details.add(String.format("state file for %,d series: %,d B", s.scrapeSeries(),
        runs.get(runs.size() - 1).stateBytes()));
  }

  private static void footprint(BenchSettings s, List<String> deployJvm, SummaryTable table, List<String> details)
      throws IOException {
    List<FootprintBenchmark.Run> runs = new ArrayList<>();
    for (int i = 1; i <= s.repeats(); i++) {
      FootprintBenchmark.Run r = FootprintBenchmark.run(s, deployJvm);
      progress("footprint", i, s, String.format("RSS idle %.1f MiB, at %,d series %.1f MiB (peak %.1f MiB); with NMT"
          + " %.1f / %.1f MiB; every total exact", mib(r.idle().rss()), r.series(), mib(r.full().rss()),
          mib(r.full().hwm()), mib(r.idleNmt().rss()), mib(r.fullNmt().rss())));
      runs.add(r);
    }
    double idle = median(runs, r -> mib(r.idle().rss()));
    double full = median(runs, r -> mib(r.full().rss()));
    table.row("resident memory, idle, deploy/'s JVM options", String.format("%.1f MiB", idle), "", "",
        "<= 48 MiB", idle <= 48);
    table.row(String.format("resident memory at %,d series, scraped", s.scrapeSeries()), String.format("%.1f MiB", full),
        "", "", "<= 100 MiB", full <= 100);
    table.info(String.format("peak resident memory at %,d series", s.scrapeSeries()),
        String.format("%.1f MiB", median(runs, r -> mib(r.full().hwm()))), "", "");
    FootprintBenchmark.Run last = runs.get(runs.size() - 1);
    details.add("footprint JVM options: " + String.join(" ", deployJvm));
    details.add(String.format("footprint, last run: idle RSS %.1f MiB (anon %.1f, file %.1f), %d threads; at %,d series"
        + " RSS %.1f MiB (anon %.1f, file %.1f), peak %.1f MiB, %d threads; old-generation collections %d at idle, %d"
        + " after the fill and %d scrapes", mib(last.idle().rss()),
        mib(last.idle().rssAnon()), mib(last.idle().rssFile()), last.idle().threads(), last.series(),
        mib(last.full().rss()), mib(last.full().rssAnon()), mib(last.full().rssFile()), mib(last.full().hwm()),
        last.full().threads(), last.idle().fullCollections(), last.full().fullCollections(),
        FootprintBenchmark.FULL_SCRAPES + 1));
    details.add("footprint NMT committed KiB, idle -> at " + last.series() + " series (VmRSS with NMT "
        + String.format("%.1f -> %.1f MiB", mib(last.idleNmt().rss()), mib(last.fullNmt().rss())) + "):");
    last.fullNmt().nmtCommittedKib().forEach((category, kib) -> details.add(String.format("  %-28s %,9d -> %,9d",
        category, last.idleNmt().nmtCommittedKib().getOrDefault(category, 0L), kib)));
  }

  private static double mib(long bytes) {
    return bytes / 1048576.0;
  }

  private static void progress(String scenario, int i, BenchSettings s, String text) {
    System.err.println(scenario + " run " + i + "/" + s.repeats() + ": " + text);
  }

  private static <T> double median(List<T> runs, ToDoubleFunction<T> f) {
    return Stats.median(runs.stream().map(f::applyAsDouble).toList());
  }

  private static <T> String list(List<T> items, java.util.function.Function<T, String> f) {
    return String.join(", ", items.stream().map(f).toList());
  }

  private static double ms(double nanos) {
    return nanos / 1e6;
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
