package io.pidless.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.status.api.v1.ExecutorSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Spark's metrics system through pidless on {@code local-cluster[2,1,1024]} (two executor JVMs), two
 * applications of the same name in a row, as a scheduler runs a daily job:
 * <ol>
 *   <li>{@code PidlessSink} by configuration alone, the jar on the executors' extraClassPath: every
 *   exported counter equals the sum of what the driver's and each executor's own registries count;
 *   a {@code livesum} gauge ({@code spark_jvm_heap_max}) is the three JVMs' sum, then the driver's
 *   alone once the executors exited; no application or executor id in any name or label;</li>
 *   <li>{@code PidlessPlugin} with {@code spark.pidless.metricsSystem=true}, the jar through
 *   {@code spark.jars} only: the executors' flush at shutdown makes the executor counters equal
 *   Spark's executor totals (what its REST API serves).</li>
 * </ol>
 * Side by side, the series Spark's PrometheusServlet and {@code /metrics/executors/prometheus} served
 * (what a Prometheus scraping them stores) grow with the second application's ids; pidless' stay the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SinkIT {
  private static final String APP = "pidless-sink-it";
  private static final String APP_LABEL = "app_name=\"" + APP + "\"";
  private AggregatorProcess aggregator;
  private Path tmp;
  private Path input;
  private final Set<String> sparkSeries = new TreeSet<>();
  /** {@code jvm.heap.max} of the driver, and of the driver and both executors, at the probes. */
  private double driverHeapMax;
  private double nodeHeapMax;
  /** Exported names of driver counts that moved while the driver reported: left out of the comparison. */
  private final Set<String> notCompared = new TreeSet<>();
  private final List<String> appIds = new java.util.ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    LocalClusterHome.prepare();
    aggregator = AggregatorProcess.startOnTempSocket();
    tmp = Files.createTempDirectory("pidless-sink");
    input = tmp.resolve("in.txt");
    Files.write(input, IntStream.range(0, 5000).mapToObj(i -> "line-" + i).collect(Collectors.toList()));
  }

  @AfterAll
  void stop() throws Exception {
    aggregator.close();
    try (java.util.stream.Stream<Path> files = Files.walk(tmp)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void sinkThenPluginExportSparksOwnCountsInSeriesThatDoNotGrow() throws Exception {
    String clientJar = System.getProperty("pidless.client.jar");
    String testClasses = System.getProperty("pidless.test.classes");

    // 1. the sink, configuration only
    JavaSparkContext sc = new JavaSparkContext(conf()
        .set("spark.metrics.conf.*.sink.pidless.class", "org.apache.spark.metrics.sink.PidlessSink")
        .set("spark.metrics.conf.*.sink.pidless.period", "600")   // only report() sends: exact comparisons
        .set("spark.metrics.conf.*.sink.pidless.unit", "seconds")
        .set("spark.executor.extraClassPath", clientJar + java.io.File.pathSeparator + testClasses));
    Map<String, Long> expected;
    Scrape first;
    try {
      appIds.add(sc.sc().applicationId());
      workload(sc);
      expected = countsAfterReport(sc);
      first = aggregator.scrape();   // before stop(), whose report() sends the probes' own counts too
      assertEquals(3.0, first.value("pidless_connections_open"), "the driver's and two executors' clients");
      collectSparkSeries(sc);
    } finally {
      sc.stop();
    }
    awaitExecutorsGone();
    Map<String, Double> exported = counters(first);
    exported.keySet().removeAll(notCompared);
    assertEquals(asDoubles(expected), exported, "every counter pidless exports equals the sum of Spark's registries");
    assertTrue(exported.containsKey("spark_executor_succeeded_tasks_total"), exported.keySet().toString());
    assertTrue(exported.containsKey("spark_executor_shuffle_bytes_written_total"), exported.keySet().toString());
    // a livesum gauge: the node's total while the executors live, the driver's alone once they left
    assertEquals(nodeHeapMax, first.value("spark_jvm_heap_max{" + APP_LABEL + "}"), "driver + 2 executors");
    Scrape firstDone = aggregator.scrape();   // with what the first stop() flushed
    assertEquals(driverHeapMax, firstDone.value("spark_jvm_heap_max{" + APP_LABEL + "}"), "executors gone");
    assertNoIds(firstDone);
    Set<String> pidlessAfterFirst = series(firstDone);
    int sparkAfterFirst = sparkSeries.size();

    // 2. the plugin, --jars only, the same application again
    Map<String, Double> before = counters(firstDone);
    sc = new JavaSparkContext(conf()
        .set("spark.jars", clientJar)
        .set("spark.executor.extraClassPath", testClasses)
        .set("spark.plugins", PidlessPlugin.class.getName())
        .set(PidlessConf.METRICS_SYSTEM, "true")
        .set(PidlessConf.METRICS_SYSTEM_PERIOD, "1s")
        .set(PidlessConf.TASK_METRICS, "false")
        .set(PidlessConf.ACCUMULATORS, "false")
        .set(PidlessConf.JOB_METRICS, "false"));
    Map<String, Long> totals;
    try {
      appIds.add(sc.sc().applicationId());
      workload(sc);
      sc.sc().listenerBus().waitUntilEmpty();
      totals = executorTotals(sc);
      collectSparkSeries(sc);
    } finally {
      sc.stop();   // executors poll and flush with ACK as they stop
    }
    awaitExecutorsGone();
    Scrape second = aggregator.scrape();
    Map<String, Double> want = new TreeMap<>();
    totals.forEach((k, v) -> want.put(k, before.getOrDefault(k, 0.0) + v));
    Map<String, Double> got = new TreeMap<>(counters(second));
    got.keySet().retainAll(want.keySet());
    assertEquals(want, got, "executor counters after the second application = before + Spark's executor totals");
    assertNoIds(second);
    Set<String> pidlessAfterSecond = new TreeSet<>(pidlessAfterFirst);
    pidlessAfterSecond.addAll(series(second));

    System.out.printf("series side by side after 1 and 2 applications: Spark servlets %d -> %d, pidless %d -> %d%n",
        sparkAfterFirst, sparkSeries.size(), pidlessAfterFirst.size(), pidlessAfterSecond.size());
    assertTrue(sparkSeries.size() > sparkAfterFirst, "Spark's series grow with the new application's ids");
    Set<String> added = new TreeSet<>(pidlessAfterSecond);
    added.removeAll(pidlessAfterFirst);
    assertEquals(Set.of(), added, "pidless' series stay the same");
  }

  private SparkConf conf() {
    return new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName(APP)
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.executor.memory", "512m")
        .set("spark.ui.enabled", "true")
        .set("spark.ui.port", "0")
        .set("spark.ui.prometheus.enabled", "true")
        .set("spark.metrics.conf.*.sink.prometheusServlet.class", "org.apache.spark.metrics.sink.PrometheusServlet")
        .set("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus")
        .set("spark.metrics.conf.*.source.jvm.class", "org.apache.spark.metrics.source.JvmSource")
        .set("spark.executor.heartbeatInterval", "60s")   // fewer driver-side events between reads
        .set("spark.pidless.socket", aggregator.socket().toString())
        .set("spark.pidless.flushInterval", "200ms");
  }

  /** Reads a file, shuffles and writes: input, shuffle and output counters on both executors. */
  private void workload(JavaSparkContext sc) {
    Map<Integer, Integer> groups = ShuffleWorkload.run(sc, input.toString());
    assertEquals(5000, groups.values().stream().mapToInt(Integer::intValue).sum());
  }

  /**
   * Per exported name, the sum over the driver's and each executor's registry right after each
   * reported (sink: poll + flush with ACK). Driver counts that moved between the report and the read
   * (events of the listener bus) are left out of the comparison by reading them twice.
   */
  private Map<String, Long> countsAfterReport(JavaSparkContext sc) throws Exception {
    Map<String, RegistryProbe.Snapshot> lastPerExecutor = new HashMap<>();
    // 8 one-slot tasks: both executors run some; the last one on each reported after the others counted
    for (RegistryProbe.Snapshot s : sc.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8), 8)
        .mapPartitions(new RegistryProbe()).collect()) {
      lastPerExecutor.merge(s.executorId(), s, (a, b) -> succeeded(a) >= succeeded(b) ? a : b);
    }
    assertEquals(Set.of("0", "1"), lastPerExecutor.keySet(), "both executors ran probes");
    sc.sc().listenerBus().waitUntilEmpty();
    com.codahale.metrics.MetricRegistry driverRegistry = MetricsSystemRegistry.of(sc.sc().env().metricsSystem());
    RegistryProbe.Snapshot driverBefore = RegistryProbe.snapshot("driver", driverRegistry);
    sc.sc().env().metricsSystem().report();
    RegistryProbe.Snapshot driver = RegistryProbe.snapshot("driver", driverRegistry);

    Map<String, Long> expected = new TreeMap<>();
    Set<String> moving = new TreeSet<>();
    for (RegistryProbe.Snapshot s : lastPerExecutor.values()) {
      add(expected, s, sc.sc().applicationId());
    }
    driver.counts().forEach((name, count) -> {
      if (!count.equals(driverBefore.counts().get(name))) {
        moving.add(name);
      }
    });
    add(expected, driver, sc.sc().applicationId());
    writeNameTable(sc.sc().applicationId(), driver, lastPerExecutor.values());
    driverHeapMax = heapMax(driver);
    nodeHeapMax = driverHeapMax;
    for (RegistryProbe.Snapshot s : lastPerExecutor.values()) {
      nodeHeapMax += heapMax(s);
    }
    System.out.println("driver counts that moved during the report, not compared: " + moving);
    assertTrue(moving.size() <= 3, "the driver is nearly idle: " + moving);
    for (String name : moving) {
      notCompared.add(exportedName(driver, name, sc.sc().applicationId()));
    }
    expected.keySet().removeAll(notCompared);
    return expected;
  }

  /**
   * Every name this run registered and what it became, for docs/SPARK-METRICS.md:
   * {@code target/spark-metric-names.tsv} (where, Dropwizard name, kind, Prometheus name, gauge mode).
   */
  private static void writeNameTable(String appId, RegistryProbe.Snapshot driver,
      java.util.Collection<RegistryProbe.Snapshot> executors) throws IOException {
    GaugeModes modes = GaugeModes.of(new SparkConf(false));
    Map<String, String> rows = new TreeMap<>();
    Map<String, Set<String>> wheres = new HashMap<>();
    List<RegistryProbe.Snapshot> all = new java.util.ArrayList<>(executors);
    all.add(driver);
    for (RegistryProbe.Snapshot s : all) {
      s.kinds().forEach((registered, kind) -> {
        String stripped = registered.substring((appId + "." + s.executorId() + ".").length());
        String name = kind.equals("gauge") ? SparkMetricNames.prometheus(stripped) : exportedName(s, registered, appId);
        rows.put(stripped, String.join("\t", stripped, kind, name, kind.equals("gauge") ? modes.modeOf(name).label() : ""));
        wheres.computeIfAbsent(stripped, k -> new TreeSet<>())
            .add(s.executorId().equals("driver") ? "driver" : "executor");
      });
    }
    List<String> lines = new java.util.ArrayList<>();
    rows.forEach((k, v) -> lines.add(String.join(",", wheres.get(k)) + "\t" + v));
    Files.write(Path.of(System.getProperty("pidless.test.classes")).resolveSibling("spark-metric-names.tsv"), lines);
  }

  private static double heapMax(RegistryProbe.Snapshot s) {
    return s.gauges().entrySet().stream().filter(e -> e.getKey().endsWith(".jvm.heap.max")).findFirst()
        .orElseThrow().getValue();
  }

  private static long succeeded(RegistryProbe.Snapshot s) {
    return s.counts().getOrDefault(s.counts().keySet().stream().filter(k -> k.endsWith(".executor.succeededTasks"))
        .findFirst().orElseThrow(), 0L);
  }

  private static void add(Map<String, Long> expected, RegistryProbe.Snapshot s, String appId) {
    String prefix = appId + "." + s.executorId() + ".";
    s.counts().forEach((registered, count) -> {
      assertTrue(registered.startsWith(prefix), registered + " is registered under " + prefix);
      expected.merge(exportedName(s, registered, appId), count, Long::sum);
    });
  }

  /** The mapping of docs/SPARK-METRICS.md, restated. */
  private static String exportedName(RegistryProbe.Snapshot s, String registered, String appId) {
    String base = SparkMetricNames.prometheus(registered.substring((appId + "." + s.executorId() + ".").length()));
    return switch (s.kinds().get(registered)) {
      case "counter" -> base.endsWith("_total") ? base : base + "_total";
      case "meter" -> base + "_total";
      default -> base + "_count_total";
    };
  }

  private static Map<String, Double> asDoubles(Map<String, Long> expected) {
    Map<String, Double> out = new TreeMap<>();
    expected.forEach((k, v) -> out.put(k, (double) v));
    return out;
  }

  /** This application's counters on /metrics, by name. */
  private static Map<String, Double> counters(Scrape scrape) {
    Map<String, Double> out = new TreeMap<>();
    scrape.samples().forEach((series, v) -> {
      if (series.startsWith("spark_") && series.endsWith("_total{" + APP_LABEL + "}")) {
        out.put(series.substring(0, series.indexOf('{')), v);
      }
    });
    return out;
  }

  private static Set<String> series(Scrape scrape) {
    return scrape.samples().keySet().stream().filter(s -> s.startsWith("spark_"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private void assertNoIds(Scrape scrape) {
    for (String s : series(scrape)) {
      assertTrue(s.endsWith("{" + APP_LABEL + "}"), "the only label is app_name: " + s);
      for (String id : appIds) {
        assertFalse(s.contains(id) || s.contains(id.replace('-', '_')), s + " contains the application id " + id);
      }
      assertFalse(s.matches("spark_(driver|\\d+)_.*"), s + " starts with an executor id");
    }
  }

  /** Spark's executor totals (its REST API's /executors), summed over the executors. */
  private static Map<String, Long> executorTotals(JavaSparkContext sc) {
    Map<String, Long> t = new TreeMap<>();
    for (ExecutorSummary e : CollectionConverters.asJava(sc.sc().statusStore().executorList(false))) {
      if (!e.id().equals("driver")) {
        t.merge("spark_executor_succeeded_tasks_total", (long) e.completedTasks(), Long::sum);
        t.merge("spark_executor_bytes_read_total", e.totalInputBytes(), Long::sum);
        t.merge("spark_executor_shuffle_total_bytes_read_total", e.totalShuffleRead(), Long::sum);
        t.merge("spark_executor_shuffle_bytes_written_total", e.totalShuffleWrite(), Long::sum);
        t.merge("spark_executor_jvm_gc_time_total", e.totalGCTime(), Long::sum);
      }
    }
    assertTrue(t.get("spark_executor_succeeded_tasks_total") >= 8, t.toString());
    return t;
  }

  /** Waits (60 s at most) until only the driver's connection is open: the executors flushed and exited. */
  private void awaitExecutorsGone() throws Exception {
    Await.awaitValue("only the driver connected after stop()", Duration.ofSeconds(60),
        () -> aggregator.scrape().value("pidless_connections_open"), v -> v == 1.0);
  }

  /** What a Prometheus scraping Spark's two servlets would store: every series line they serve. */
  private void collectSparkSeries(JavaSparkContext sc) throws IOException, InterruptedException {
    String ui = sc.sc().uiWebUrl().get();
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    for (String path : List.of("/metrics/prometheus", "/metrics/executors/prometheus")) {
      HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(ui + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, resp.statusCode(), path);
      resp.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
          .forEach(l -> sparkSeries.add(l.substring(0, l.lastIndexOf(' '))));
    }
  }
}
