package io.pidless.aggregator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.SeriesCopy;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The exact text of each family type, in both formats; one family per test, since families come in no set order. */
class SeriesTextWriterTest {
  private final SeriesStore store = SeriesStore.builder()
      .clock(Clock.fixed(Instant.ofEpochMilli(1_764_145_123_004L), ZoneOffset.UTC)).build();
  private final DeltaBuffer batch = new DeltaBuffer();

  private Definition define(MetricType type, int mode, String name, String help, double[] bounds, String... labels)
      throws Exception {
    String[] names = new String[labels.length / 2];
    String[] values = new String[labels.length / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels[2 * i];
      values[i] = labels[2 * i + 1];
    }
    return store.define(new DefineRequest(type.code(), mode, name, help, names, values, bounds));
  }

  private String text(boolean openMetrics, Set<String> names) throws Exception {
    store.apply(batch, 1, new ArrayList<>());
    batch.clear();
    return written(store, openMetrics, names);
  }

  /** What {@code s} shows, written in chunks of 16 bytes as a scrape writes its of 64 KiB. */
  private static String written(SeriesStore s, boolean openMetrics, Set<String> names) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TextBuffer out = TextBuffer.draining(16, (b, n) -> bytes.write(b, 0, n));
    SeriesCopy copy = new SeriesCopy();
    s.copy(copy);
    SeriesTextWriter.write(copy, openMetrics, names, out);
    out.drain();
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void counterWithLabelsThatNeedEscaping() throws Exception {
    Definition d = define(MetricType.COUNTER, 0, "jobs_total", "Jobs \"done\" \\ here\nnext", new double[0],
        "stage", "x\"y", "path", "C:\\tmp\nnew");
    batch.addValue(d, 3);
    assertEquals("""
        # HELP jobs_total Jobs "done" \\\\ here\\nnext
        # TYPE jobs_total counter
        jobs_total{path="C:\\\\tmp\\nnew",stage="x\\"y"} 3.0
        # HELP jobs_created Jobs "done" \\\\ here\\nnext
        # TYPE jobs_created gauge
        jobs_created{path="C:\\\\tmp\\nnew",stage="x\\"y"} 1764145123.004
        """, text(false, null));
    assertEquals("""
        # TYPE jobs counter
        # HELP jobs Jobs \\"done\\" \\\\ here\\nnext
        jobs_total{path="C:\\\\tmp\\nnew",stage="x\\"y"} 3.0
        jobs_created{path="C:\\\\tmp\\nnew",stage="x\\"y"} 1764145123.004
        """, text(true, null));
  }

  @Test
  void gaugeWithoutLabelsHasNoBracesAndNoCreated() throws Exception {
    batch.addValue(define(MetricType.GAUGE, GaugeMode.LAST.code(), "temp_celsius", "Température", new double[0]), -0.5);
    assertEquals("""
        # HELP temp_celsius Température
        # TYPE temp_celsius gauge
        temp_celsius -0.5
        """, text(false, null));
  }

  @Test
  void gaugeWithNoValueYetIsLeftOut() throws Exception {
    define(MetricType.GAUGE, GaugeMode.MAX.code(), "peak", "Peak.", new double[0]);
    assertEquals("", text(false, null));
  }

  @Test
  void nonAsciiLabelValuesAreUtf8() throws Exception {
    batch.addValue(define(MetricType.GAUGE, GaugeMode.SUM.code(), "g", "h", new double[0], "city", "Zürich 東京"), 1e21);
    assertEquals("""
        # HELP g h
        # TYPE g gauge
        g{city="Zürich 東京"} 1.0E21
        """, text(false, null));
  }

  @Test
  void histogramBucketsAddLeToTheSeriesLabels() throws Exception {
    double[] bounds = {1e-7, 0.005, 1};
    Definition labelled = define(MetricType.HISTOGRAM, 0, "lat_seconds", "Latency.", bounds, "op", "get");
    int slot = batch.reserveBuckets(4);
    batch.setBucket(slot, 1);
    batch.setBucket(slot + 1, 0);
    batch.setBucket(slot + 2, 2);
    batch.setBucket(slot + 3, 4);
    batch.addHistogram(labelled, slot, 10.25);
    assertEquals("""
        # TYPE lat_seconds histogram
        # HELP lat_seconds Latency.
        lat_seconds_bucket{op="get",le="1.0E-7"} 1.0
        lat_seconds_bucket{op="get",le="0.005"} 1.0
        lat_seconds_bucket{op="get",le="1.0"} 3.0
        lat_seconds_bucket{op="get",le="+Inf"} 7.0
        lat_seconds_count{op="get"} 7.0
        lat_seconds_sum{op="get"} 10.25
        lat_seconds_created{op="get"} 1764145123.004
        """, text(true, null));
  }

  @Test
  void histogramWithoutLabelsHasOnlyLe() throws Exception {
    Definition bare = define(MetricType.HISTOGRAM, 0, "size_bytes", "Size.", new double[] {100});
    int slot = batch.reserveBuckets(2);
    batch.setBucket(slot, 0);
    batch.setBucket(slot + 1, 2);
    batch.addHistogram(bare, slot, 500);
    assertEquals("""
        # HELP size_bytes Size.
        # TYPE size_bytes histogram
        size_bytes_bucket{le="100.0"} 0.0
        size_bytes_bucket{le="+Inf"} 2.0
        size_bytes_count 2.0
        size_bytes_sum 500.0
        # HELP size_bytes_created Size.
        # TYPE size_bytes_created gauge
        size_bytes_created 1764145123.004
        """, text(false, null));
  }

  @Test
  void summaryHasCountSumAndCreated() throws Exception {
    batch.addSummary(define(MetricType.SUMMARY, 0, "req_seconds", "Requests.", new double[0], "a", ""), 3, 0.1);
    assertEquals("""
        # TYPE req_seconds summary
        # HELP req_seconds Requests.
        req_seconds_count{a=""} 3.0
        req_seconds_sum{a=""} 0.1
        req_seconds_created{a=""} 1764145123.004
        """, text(true, null));
  }

  @Test
  void nameFilterKeepsOnlyTheSamplesAskedFor() throws Exception {
    batch.addValue(define(MetricType.COUNTER, 0, "jobs_total", "Jobs.", new double[0], "a", "1"), 2);
    assertEquals("""
        # HELP jobs_total Jobs.
        # TYPE jobs_total counter
        # HELP jobs_created Jobs.
        # TYPE jobs_created gauge
        jobs_created{a="1"} 1764145123.004
        """, text(false, Set.of("jobs_created")));
    assertEquals("""
        # HELP jobs_total Jobs.
        # TYPE jobs_total counter
        jobs_total{a="1"} 2.0
        """, text(false, Set.of("jobs_total")));
    assertEquals("", text(false, Set.of("other_total")));
  }

  @Test
  void createdKeepsLeadingZerosOfTheMilliseconds() throws Exception {
    SeriesStore early = SeriesStore.builder().clock(Clock.fixed(Instant.ofEpochMilli(7_050L), ZoneOffset.UTC)).build();
    early.define(new DefineRequest(MetricType.SUMMARY.code(), 0, "s", "h", new String[0], new String[0],
        new double[0]));
    assertEquals("# TYPE s summary\n# HELP s h\ns_created 7.050\n", written(early, true, Set.of("s_created")));
  }

  @Test
  void createdOfSeriesDefinedAtDifferentMillisecondsEachHaveTheirOwn() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(7_050L);
    Clock clock = ((java.time.InstantSource) () -> Instant.ofEpochMilli(now.get())).withZone(ZoneOffset.UTC);
    SeriesStore s = SeriesStore.builder().clock(clock).build();
    long[] at = {7_050L, 7_050L, 9_001L, 9_001L, 7_050L};
    for (int i = 0; i < at.length; i++) {
      now.set(at[i]);
      s.define(new DefineRequest(MetricType.COUNTER.code(), 0, "j_total", "h", new String[] {"i"},
          new String[] {String.valueOf(i)}, new double[0]));
    }
    Set<String> lines = new java.util.TreeSet<>(java.util.List.of(written(s, false, Set.of("j_created")).split("\n")));
    assertEquals(new java.util.TreeSet<>(java.util.List.of("# HELP j_created h", "# HELP j_total h",
        "# TYPE j_created gauge", "# TYPE j_total counter", "j_created{i=\"0\"} 7.050", "j_created{i=\"1\"} 7.050",
        "j_created{i=\"2\"} 9.001", "j_created{i=\"3\"} 9.001", "j_created{i=\"4\"} 7.050")), lines);
  }
}
