package io.pidless.aggregator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SeriesStoreTest {
  private static final Duration TTL = Duration.ofMinutes(10);
  /** How long a series really idles before it goes: ttl plus the touch interval, never less than ttl. */
  private static final Duration IDLE = TTL.plus(SeriesStore.touchInterval(TTL));

  private final FakeTicker ticker = new FakeTicker();
  private final AggregatorStats stats = new AggregatorStats();
  private final ConcurrentLinkedQueue<SeriesSnapshot> expired = new ConcurrentLinkedQueue<>();

  private SeriesStore store(Limits limits) {
    return SeriesStore.builder().ttl(TTL).ticker(ticker).limits(limits).stats(stats)
        .clock(Clock.fixed(Instant.ofEpochSecond(1_000), ZoneOffset.UTC))
        .expiryListener(expired::add).build();
  }

  private SeriesStore store() {
    return store(Limits.DEFAULTS);
  }

  static DefineRequest counter(String name, String... labels) {
    return request(MetricType.COUNTER, 0, name, new double[0], labels);
  }

  static DefineRequest gauge(GaugeMode mode, String name, String... labels) {
    return request(MetricType.GAUGE, mode.code(), name, new double[0], labels);
  }

  static DefineRequest request(MetricType type, int mode, String name, double[] bounds, String... labels) {
    String[] names = new String[labels.length / 2];
    String[] values = new String[labels.length / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels[2 * i];
      values[i] = labels[2 * i + 1];
    }
    return new DefineRequest(type.code(), mode, name, "help", names, values, bounds);
  }

  private void apply(SeriesStore store, long writer, Definition d, double... values) {
    DeltaBuffer b = new DeltaBuffer();
    for (double v : values) {
      b.addValue(d, v);
    }
    List<Definition> rejected = new ArrayList<>();
    store.apply(b, writer, rejected);
    assertEquals(List.of(), rejected);
  }

  private static SeriesSnapshot only(SeriesStore store, String name) {
    List<SeriesSnapshot> found = store.snapshot().stream().filter(s -> s.key().name().equals(name.replaceAll("_total$", ""))).toList();
    assertEquals(1, found.size(), "series named " + name);
    return found.get(0);
  }

  @Test
  void countersFromManyWritersSumIntoOneSeriesWithoutPidLabel() throws Exception {
    SeriesStore store = store();
    Definition a = store.define(counter("jobs_total", "stage", "parse"));
    Definition b = store.define(counter("jobs_total", "stage", "parse"));
    apply(store, 1, a, 1, 2.5);
    apply(store, 2, b, 4);
    SeriesSnapshot s = only(store, "jobs_total");
    assertEquals(7.5, s.value());
    assertEquals("jobs", s.family().name());
    assertEquals(List.of("stage"), s.family().labelNames());
    assertEquals(1_000_000, s.createdMillis());
    assertEquals(1, store.seriesCount());
  }

  @Test
  void labelOrderDoesNotMatterToIdentity() throws Exception {
    SeriesStore store = store();
    Definition a = store.define(counter("x_total", "b", "2", "a", "1"));
    Definition b = store.define(counter("x_total", "a", "1", "b", "2"));
    apply(store, 1, a, 1);
    apply(store, 2, b, 1);
    SeriesSnapshot s = only(store, "x_total");
    assertEquals(2, s.value());
    assertEquals("x{a=\"1\",b=\"2\"}", s.key().toString());
  }

  @Test
  void gaugeSumKeepsIncAndDecAfterWriterLeaves() throws Exception {
    SeriesStore store = store();
    Definition d = store.define(gauge(GaugeMode.SUM, "queue"));
    apply(store, 1, d, 5, -2);
    store.release(List.of(d), 1);
    assertEquals(3, only(store, "queue").value());
  }

  @Test
  void gaugeMaxMinLastKeepTheirValueAndStartHidden() throws Exception {
    SeriesStore store = store();
    Definition max = store.define(gauge(GaugeMode.MAX, "g_max"));
    Definition min = store.define(gauge(GaugeMode.MIN, "g_min"));
    Definition last = store.define(gauge(GaugeMode.LAST, "g_last"));
    assertFalse(only(store, "g_max").present());
    assertFalse(only(store, "g_min").present());
    assertFalse(only(store, "g_last").present());
    apply(store, 1, max, 3, -1, 7, 2);
    apply(store, 1, min, 3, -1, 7, 2);
    apply(store, 1, last, 3, -1, 7, 2);
    apply(store, 2, max, 5);
    apply(store, 2, min, 5);
    apply(store, 2, last, 5);
    store.release(List.of(max, min, last), 1);
    assertEquals(7, only(store, "g_max").value());
    assertEquals(-1, only(store, "g_min").value());
    assertEquals(5, only(store, "g_last").value());
  }

  @Test
  void liveGaugesForgetAWriterWhenItsConnectionCloses() throws Exception {
    SeriesStore store = store();
    Definition[] sum = {store.define(gauge(GaugeMode.LIVESUM, "busy")), store.define(gauge(GaugeMode.LIVESUM, "busy"))};
    Definition[] max = {store.define(gauge(GaugeMode.LIVEMAX, "mem")), store.define(gauge(GaugeMode.LIVEMAX, "mem"))};
    Definition[] min = {store.define(gauge(GaugeMode.LIVEMIN, "free")), store.define(gauge(GaugeMode.LIVEMIN, "free"))};
    assertEquals(0, only(store, "busy").value(), "livesum with no writer reads 0");
    assertTrue(only(store, "busy").present());
    assertFalse(only(store, "mem").present(), "livemax with no writer is hidden");
    apply(store, 1, sum[0], 1, 3);
    apply(store, 2, sum[1], 2);
    apply(store, 1, max[0], 10);
    apply(store, 2, max[1], 20);
    apply(store, 1, min[0], 10);
    apply(store, 2, min[1], 20);
    assertEquals(5, only(store, "busy").value(), "each writer's current value, summed");
    assertEquals(20, only(store, "mem").value());
    assertEquals(10, only(store, "free").value());
    store.release(List.of(sum[1], max[1], min[1]), 2);
    assertEquals(3, only(store, "busy").value());
    assertEquals(10, only(store, "mem").value());
    assertEquals(10, only(store, "free").value());
    store.release(List.of(sum[0], max[0], min[0]), 1);
    assertEquals(0, only(store, "busy").value());
    assertFalse(only(store, "mem").present());
    assertFalse(only(store, "free").present());
  }

  @Test
  void histogramMergesBucketsSumAndCount() throws Exception {
    SeriesStore store = store();
    double[] bounds = {0.1, 1};
    Definition a = store.define(request(MetricType.HISTOGRAM, 0, "lat_seconds", bounds));
    Definition b = store.define(request(MetricType.HISTOGRAM, 0, "lat_seconds", bounds));
    DeltaBuffer buf = new DeltaBuffer();
    int s1 = buf.reserveBuckets(3);
    buf.setBucket(s1, 2);
    buf.setBucket(s1 + 1, 1);
    buf.setBucket(s1 + 2, 0);
    buf.addHistogram(a, s1, 0.5);
    int s2 = buf.reserveBuckets(3);
    buf.setBucket(s2, 0);
    buf.setBucket(s2 + 1, 0);
    buf.setBucket(s2 + 2, 4);
    buf.addHistogram(b, s2, 20);
    store.apply(buf, 1, new ArrayList<>());
    SeriesSnapshot s = only(store, "lat_seconds");
    assertArrayEquals(new long[] {2, 3, 7}, s.cumulativeBuckets());
    assertEquals(7, s.count());
    assertEquals(20.5, s.sum());
  }

  @Test
  void summaryMergesCountAndSum() throws Exception {
    SeriesStore store = store();
    Definition d = store.define(request(MetricType.SUMMARY, 0, "size_bytes", new double[0]));
    DeltaBuffer buf = new DeltaBuffer();
    buf.addSummary(d, 3, 30);
    buf.addSummary(d, 2, 5);
    store.apply(buf, 1, new ArrayList<>());
    SeriesSnapshot s = only(store, "size_bytes");
    assertEquals(5, s.count());
    assertEquals(35, s.sum());
  }

  @Test
  void firstDefinerWinsOnTypeModeLabelsAndBounds() throws Exception {
    SeriesStore store = store();
    store.define(counter("jobs_total", "stage", "a"));
    assertClash(store, gauge(GaugeMode.SUM, "jobs_total", "stage", "b"), "would expose jobs_total, which counter jobs already exposes");
    assertClash(store, gauge(GaugeMode.SUM, "jobs_created"), "would expose jobs_created");
    store.define(request(MetricType.SUMMARY, 0, "size", new double[0]));
    assertClash(store, counter("size_count"), "would expose size_count, which summary size already exposes");
    assertClash(store, counter("jobs_total", "step", "a"), "has label names [stage], not [step]");
    assertClash(store, gauge(GaugeMode.SUM, "jobs", "stage", "a"), "is a counter, not a gauge");
    store.define(gauge(GaugeMode.LIVESUM, "busy"));
    assertClash(store, gauge(GaugeMode.MAX, "busy"), "mode livesum, not max");
    store.define(request(MetricType.HISTOGRAM, 0, "h", new double[] {1, 2}));
    assertClash(store, request(MetricType.HISTOGRAM, 0, "h", new double[] {1, 3}), "bucket bounds [1.0, 2.0]");
  }

  @Test
  void counterNameWithAndWithoutTotalIsOneFamily() throws Exception {
    SeriesStore store = store();
    Definition a = store.define(counter("jobs_total"));
    Definition b = store.define(counter("jobs"));
    assertEquals(a.family(), b.family());
    assertEquals("jobs", b.family().name());
    assertEquals(1, store.seriesCount(), "jobs and jobs_total are one series, exposed as jobs_total");
  }

  private static void assertClash(SeriesStore store, DefineRequest r, String message) {
    DefinitionRejectedException e = assertThrows(DefinitionRejectedException.class, () -> store.define(r));
    assertEquals(ErrorCode.TYPE_CLASH, e.code());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  /** Each rule, with its exact message, is DefinitionRulesTest's; here, that the store holds to them. */
  @Test
  void badDefinitionsAreRejectedWithTheirCodeAndCreateNothing() {
    SeriesStore store = store(new Limits(100, 2, 20, 10, 1 << 20));
    assertRejected(store, ErrorCode.INVALID_NAME, counter("pidless_series"));
    assertRejected(store, ErrorCode.INVALID_LABEL, counter("ok", "a", "1", "a", "2"));
    assertRejected(store, ErrorCode.LABEL_LIMIT, counter("ok", "a", "1", "b", "2", "c", "3"));
    assertRejected(store, ErrorCode.LENGTH_LIMIT, counter("ok", "a", "v".repeat(11)));
    assertRejected(store, ErrorCode.INVALID_DEFINITION, request(MetricType.HISTOGRAM, 0, "h", new double[] {2, 1}));
    assertEquals(0, store.seriesCount(), "a rejected definition creates nothing");
    assertEquals(0, store.familyCount());
  }

  private static void assertRejected(SeriesStore store, ErrorCode code, DefineRequest r) {
    DefinitionRejectedException e = assertThrows(DefinitionRejectedException.class, () -> store.define(r));
    assertEquals(code, e.code(), e.getMessage());
  }

  @Test
  void seriesLimitRejectsNewSeriesButExistingOnesKeepWorking() throws Exception {
    SeriesStore store = store(new Limits(2, 30, 256, 1024, 1 << 20));
    Definition a = store.define(counter("c_total", "k", "a"));
    store.define(counter("c_total", "k", "b"));
    DefinitionRejectedException e = assertThrows(DefinitionRejectedException.class,
        () -> store.define(counter("c_total", "k", "c")));
    assertEquals(ErrorCode.SERIES_LIMIT, e.code());
    assertTrue(e.getMessage().contains("--max-series"), e.getMessage());
    Definition again = store.define(counter("c_total", "k", "a"));
    apply(store, 1, a, 1);
    apply(store, 2, again, 1);
    assertEquals(2, store.seriesCount());
    assertEquals(2.0, store.snapshot().stream().mapToDouble(SeriesSnapshot::value).sum());
  }

  @Test
  void seriesTextBeyondItsBudgetIsRejectedAndExpiryGivesItBack() throws Exception {
    Budget text = new Budget(2_000);
    SeriesStore store = SeriesStore.builder().ttl(TTL).ticker(ticker).stats(stats).textBytes(text).build();
    Definition small = store.define(counter("t_total", "k", "a"));
    long held = text.used();
    assertEquals(SeriesText.ofFamily(small.family()) + SeriesText.of(small.key()), held,
        "the family's help and label names once, the series' name and labels on its 2 lines");
    DefinitionRejectedException e = assertThrows(DefinitionRejectedException.class,
        () -> store.define(counter("t_total", "k", "v".repeat(1_000))));
    assertEquals(ErrorCode.SERIES_BYTES_LIMIT, e.code());
    assertTrue(e.getMessage().contains("--max-series-bytes"), e.getMessage());
    assertEquals(held, text.used(), "a rejected series takes nothing");
    assertEquals(1, store.seriesCount());
    apply(store, 1, small, 1);
    assertEquals(1, only(store, "t_total").value(), "existing series keep working");
    ticker.advance(IDLE.plusSeconds(1));
    store.cleanUp();
    assertEquals(0, text.used(), "expiry gives back every byte it took, the family's too");
  }

  @Test
  void sumsSaturateAtTheirTypesBoundAndAreCounted() throws Exception {
    SeriesStore store = store();
    Definition c = store.define(counter("s_total"));
    Definition h = store.define(request(MetricType.HISTOGRAM, 0, "s_seconds", new double[] {1}));
    Definition sm = store.define(request(MetricType.SUMMARY, 0, "s_bytes", new double[0]));
    DeltaBuffer buf = new DeltaBuffer();
    for (int i = 0; i < 2; i++) {
      buf.addValue(c, Double.MAX_VALUE);
      int at = buf.reserveBuckets(2);
      buf.setBucket(at, Long.MAX_VALUE);
      buf.setBucket(at + 1, 1);
      buf.addHistogram(h, at, -Double.MAX_VALUE);
      buf.addSummary(sm, Long.MAX_VALUE, 1);
    }
    store.apply(buf, 1, new ArrayList<>());
    assertEquals(Double.MAX_VALUE, only(store, "s_total").value());
    SeriesSnapshot hist = only(store, "s_seconds");
    assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MAX_VALUE}, hist.cumulativeBuckets());
    assertEquals(Long.MAX_VALUE, hist.count());
    assertEquals(-Double.MAX_VALUE, hist.sum());
    assertEquals(Long.MAX_VALUE, only(store, "s_bytes").count());
    assertEquals(2.0, only(store, "s_bytes").sum());
    assertEquals(1, stats.valuesSaturated(MetricType.COUNTER), "the first delta fit, the second saturated");
    assertEquals(2, stats.valuesSaturated(MetricType.HISTOGRAM), "the first's +Inf bucket took the count past 2^63-1");
    assertEquals(1, stats.valuesSaturated(MetricType.SUMMARY));
  }

  @Test
  void idleSeriesExpireAndComeBackAsNewSeries() throws Exception {
    SeriesStore store = store();
    Definition d = store.define(counter("jobs_total"));
    apply(store, 1, d, 3);
    ticker.advance(TTL.minusSeconds(1));
    apply(store, 1, d, 1);
    ticker.advance(TTL.minusSeconds(1));
    store.cleanUp();
    assertEquals(4, only(store, "jobs_total").value(), "a write restarts the idle clock");
    ticker.advance(IDLE.minus(TTL.minusSeconds(1)).plusSeconds(1));
    store.cleanUp();
    assertEquals(List.of(), store.snapshot());
    assertEquals(0, store.familyCount(), "the family goes with its last series");
    assertEquals(1, stats.seriesExpired.sum());
    assertEquals(4, expired.peek().value(), "the expiry listener sees the final value");
    apply(store, 1, d, 2);
    assertEquals(2, only(store, "jobs_total").value(), "a delta after expiry lands in a fresh series");
    assertEquals(2, stats.seriesCreated.sum());
  }

  @Test
  void snapshotListsEachFamilysSeriesTogetherThroughExpiryAndNewSeries() throws Exception {
    SeriesStore store = store();
    List<Definition> defs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      for (String family : new String[] {"a_total", "b_total", "c_total"}) {
        defs.add(store.define(counter(family, "i", Integer.toString(i))));
      }
    }
    ticker.advance(TTL.minusSeconds(1));
    for (int i = 0; i < defs.size(); i++) {
      if (i % 4 != 1) {
        apply(store, 1, defs.get(i), i);
      }
    }
    ticker.advance(IDLE.minus(TTL.minusSeconds(1)).plusSeconds(1));
    store.cleanUp();
    store.define(counter("b_total", "i", "new"));
    List<SeriesSnapshot> snapshot = store.snapshot();
    List<String> families = new ArrayList<>();
    java.util.Set<String> keys = new java.util.TreeSet<>();
    for (SeriesSnapshot s : snapshot) {
      if (families.isEmpty() || !families.get(families.size() - 1).equals(s.family().name())) {
        families.add(s.family().name());
      }
      keys.add(s.key() + " " + s.value());
    }
    assertEquals(3, families.size(), "each family once, its series together: " + snapshot);
    assertEquals(new java.util.TreeSet<>(List.of(
        "a{i=\"0\"} 0.0", "a{i=\"1\"} 3.0", "a{i=\"2\"} 6.0", "a{i=\"4\"} 12.0", "a{i=\"5\"} 15.0",
        "b{i=\"1\"} 4.0", "b{i=\"2\"} 7.0", "b{i=\"3\"} 10.0", "b{i=\"5\"} 16.0", "b{i=\"new\"} 0.0",
        "c{i=\"0\"} 2.0", "c{i=\"2\"} 8.0", "c{i=\"3\"} 11.0", "c{i=\"4\"} 14.0")), keys);
    assertEquals(5, stats.seriesExpired.sum(), "b0, c1, a3, b4 and c5 had no write");
  }

  @Test
  void expiryNeverComesBeforeTtlAfterTheLastWriteThoughTouchesAreSparse() throws Exception {
    SeriesStore store = store();
    Definition d = store.define(counter("steady_total"));
    Duration step = SeriesStore.touchInterval(TTL).dividedBy(3);
    for (int i = 0; i < 20; i++) {
      apply(store, 1, d, 1);
      ticker.advance(step);
    }
    apply(store, 1, d, 1);
    ticker.advance(TTL.minusMillis(1));
    store.cleanUp();
    assertEquals(21, only(store, "steady_total").value(), "still there just before ttl after the last write");
    ticker.advance(SeriesStore.touchInterval(TTL).plusMillis(2));
    store.cleanUp();
    assertEquals(List.of(), store.snapshot(), "gone by ttl + ttl/64");
  }

  @Test
  void keysOfNumericLabelGridsHashApart() {
    java.util.Set<Integer> hashes = new java.util.HashSet<>();
    Family m = new Family("m", "", MetricType.GAUGE, GaugeMode.SUM, new String[] {"a", "b"}, new double[0]);
    for (int a = 0; a < 100; a++) {
      for (int b = 0; b < 100; b++) {
        hashes.add(SeriesKey.of(m, new String[] {"a", "b"}, new String[] {"" + a, "" + b}).hashCode());
      }
    }
    assertTrue(hashes.size() > 9_990, hashes.size() + " distinct hashes of 10000 keys");
  }

  @Test
  void expiredNameIsFreeForAnotherTypeAndOldDefinitionIsThenRejected() throws Exception {
    SeriesStore store = store();
    Definition old = store.define(counter("x"));
    ticker.advance(IDLE.plusSeconds(1));
    store.cleanUp();
    Definition g = store.define(gauge(GaugeMode.LAST, "x"));
    List<Definition> rejected = new ArrayList<>();
    DeltaBuffer b = new DeltaBuffer();
    b.addValue(old, 1);
    b.addValue(g, 9);
    store.apply(b, 1, rejected);
    assertEquals(List.of(old), rejected);
    assertTrue(old.rejection().contains("is a gauge, not a counter"), old.rejection());
    assertEquals(9, only(store, "x").value(), "the rest of the batch applies");
    assertEquals(1, stats.deltasDroppedRejectedSeries.sum());
  }

  @Test
  void liveGaugeWithAnOpenWriterNeverExpires() throws Exception {
    SeriesStore store = store();
    Definition d = store.define(gauge(GaugeMode.LIVESUM, "busy"));
    apply(store, 1, d, 1);
    ticker.advance(TTL.multipliedBy(3));
    store.cleanUp();
    assertEquals(1, only(store, "busy").value());
    store.release(List.of(d), 1);
    ticker.advance(IDLE.plusSeconds(1));
    store.cleanUp();
    assertEquals(List.of(), store.snapshot(), "once its writer left, it idles out like any series");
  }

  @Test
  void deltasRacingWithExpiryAreNeverLost() throws Exception {
    SeriesStore store = store();
    int writers = 4;
    int batches = 3_000;
    int seriesPerWriter = 8;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    for (int w = 0; w < writers; w++) {
      long writer = w + 1;
      threads.add(new Thread(() -> {
        try {
          Definition[] defs = new Definition[seriesPerWriter];
          for (int i = 0; i < seriesPerWriter; i++) {
            defs[i] = store.define(counter("race_total", "series", String.valueOf(i)));
          }
          DeltaBuffer b = new DeltaBuffer();
          start.await();
          for (long n = 1; n <= batches; n++) {
            b.clear();
            for (Definition d : defs) {
              b.addValue(d, 1);
            }
            List<Definition> rejected = new ArrayList<>();
            store.apply(b, writer, rejected);
            if (!rejected.isEmpty()) {
              throw new AssertionError("rejected " + rejected);
            }
          }
        } catch (Throwable t) {
          errors.add(t);
        }
      }));
    }
    Thread expirer = new Thread(() -> {
      while (!done.get()) {
        ticker.advance(IDLE.plusSeconds(1));
        store.cleanUp();
        store.snapshot();
      }
    });
    threads.forEach(Thread::start);
    expirer.start();
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    done.set(true);
    expirer.join();
    assertEquals(List.of(), List.copyOf(errors));
    double live = store.snapshot().stream().mapToDouble(SeriesSnapshot::value).sum();
    double gone = expired.stream().mapToDouble(SeriesSnapshot::value).sum();
    assertTrue(stats.seriesExpired.sum() > 0, "the race must actually have expired series");
    assertEquals((double) writers * batches * seriesPerWriter, live + gone,
        "every delta is in a live series or in one that expired after it landed");
  }

  @Test
  void snapshotNeverSeesHalfABatch() throws Exception {
    SeriesStore store = store();
    int width = 2_000;   // a batch long enough that a copy without the lock lands inside one (checked)
    int batches = 2_000;
    DeltaBuffer buf = new DeltaBuffer();
    for (int i = 0; i < width; i++) {
      buf.addValue(store.define(counter(i % 2 == 0 ? "a_total" : "b_total", "i", Integer.toString(i))), 1);
    }
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
    AtomicLong copies = new AtomicLong();
    Thread scraper = new Thread(() -> {
      SeriesCopy copy = new SeriesCopy();   // reused, as a scrape thread does
      while (!done.get() && torn.isEmpty()) {
        store.copy(copy);
        copies.incrementAndGet();
        for (int i = 1; i < copy.size(); i++) {
          if (copy.value(i) != copy.value(0)) {
            torn.add(copy.key(0) + " " + copy.value(0) + " but " + copy.key(i) + " " + copy.value(i));
            break;
          }
        }
      }
    });
    scraper.start();
    for (int n = 0; n < batches; n++) {
      store.apply(buf, 1, new ArrayList<>());
    }
    done.set(true);
    scraper.join();
    assertNull(torn.peek(), "a scrape saw a batch half applied");
    assertTrue(copies.get() > 1, "the scraper must have copied while batches went on");
    assertEquals((double) batches * width / 2,
        store.snapshot().stream().filter(s -> s.key().name().equals("a")).mapToDouble(SeriesSnapshot::value).sum());
  }


  @Test
  void createdTimestampChangesWhenASeriesComesBack() throws Exception {
    long[] now = {5_000};
    SeriesStore store = SeriesStore.builder().ttl(TTL).ticker(ticker)
        .clock(new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(now[0]);
          }
        }).build();
    Definition d = store.define(counter("c_total"));
    long first = only(store, "c_total").createdMillis();
    ticker.advance(IDLE.plusSeconds(1));
    now[0] = 9_000;
    store.cleanUp();
    apply(store, 1, d, 1);
    long second = only(store, "c_total").createdMillis();
    assertEquals(5_000, first);
    assertNotEquals(first, second);
    assertEquals(9_000, second);
  }
}
