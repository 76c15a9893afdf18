package io.pidless.aggregator.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.session.Session;
import io.pidless.aggregator.session.SessionId;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save and restore through real files: every type and gauge mode, sessions, idle time, damage. */
class StateFileTest {
  private static final Duration TTL = Duration.ofMinutes(10);
  private static final Instant SAVED_AT = Instant.ofEpochSecond(1_700_000_000);
  private static final SessionId SESSION = new SessionId(0x1234, 0x5678);

  @TempDir
  Path dir;

  private final AtomicLong nanos = new AtomicLong();

  private SeriesStore store(Limits limits, Instant now) {
    return SeriesStore.builder().ttl(TTL).ticker(nanos::get).limits(limits)
        .clock(Clock.fixed(now, ZoneOffset.UTC)).build();
  }

  private SessionRegistry sessions() {
    return new SessionRegistry(TTL, 1_000, nanos::get);
  }

  private static DefineRequest request(MetricType type, GaugeMode mode, String name, double[] bounds,
      String... labels) {
    String[] names = new String[labels.length / 2];
    String[] values = new String[labels.length / 2];
    for (int i = 0; i < names.length; i++) {
      names[i] = labels[2 * i];
      values[i] = labels[2 * i + 1];
    }
    return new DefineRequest(type.code(), mode == null ? 0 : mode.code(), name, "Help for " + name, names,
        values, bounds);
  }

  /** One series of every kind, with values no restore could produce by accident. */
  private static void fill(SeriesStore store) throws Exception {
    DeltaBuffer b = new DeltaBuffer();
    b.addValue(store.define(request(MetricType.COUNTER, null, "rows_total", new double[0], "stage", "parse",
        "app", "etl \"nightly\"\n")), 12345.5);
    b.addValue(store.define(request(MetricType.COUNTER, null, "odd_total_total", new double[0])), 7);
    b.addValue(store.define(request(MetricType.COUNTER, null, "untouched_total", new double[0])), 0);
    b.addValue(store.define(request(MetricType.GAUGE, GaugeMode.SUM, "inflight", new double[0])), -3);
    b.addValue(store.define(request(MetricType.GAUGE, GaugeMode.MAX, "peak", new double[0])), -0.5);
    store.define(request(MetricType.GAUGE, GaugeMode.MAX, "never_set", new double[0]));
    b.addValue(store.define(request(MetricType.GAUGE, GaugeMode.MIN, "low", new double[0])), 4.25);
    b.addValue(store.define(request(MetricType.GAUGE, GaugeMode.LAST, "temperature", new double[0])), 21.5);
    Definition h = store.define(request(MetricType.HISTOGRAM, null, "wait_seconds", new double[] {0.1, 1}));
    int start = b.reserveBuckets(3);
    b.setBucket(start, 5);
    b.setBucket(start + 1, 0);
    b.setBucket(start + 2, 2);
    b.addHistogram(h, start, 9.75);
    b.addSummary(store.define(request(MetricType.SUMMARY, null, "size_bytes", new double[0])), 3, 1500);
    List<Definition> rejected = new ArrayList<>();
    store.apply(b, 1, rejected);
    DeltaBuffer live = new DeltaBuffer();
    live.addValue(store.define(request(MetricType.GAUGE, GaugeMode.LIVESUM, "workers", new double[0])), 4);
    store.apply(live, 1, rejected);
    assertEquals(List.of(), rejected);
  }

  /** {@link #fill}'s series, saved at {@link #SAVED_AT} with no sessions. */
  private Path savedFilledStore() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    fill(before);
    Path file = dir.resolve("pidless.state");
    StateWriter.save(file, before, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    return file;
  }

  /** Every series as comparable text: name, labels, created time, presence and values. */
  static Map<String, String> contents(SeriesStore store) {
    Map<String, String> out = new TreeMap<>();
    for (SeriesSnapshot s : store.snapshot()) {
      out.put(s.key().toString(), s.family().type() + " " + s.family().mode() + " " + s.family().help() + " "
          + Arrays.toString(s.family().bounds()) + " created=" + s.createdMillis() + " present=" + s.present()
          + " value=" + s.value() + " count=" + s.count() + " sum=" + s.sum() + " buckets="
          + Arrays.toString(s.cumulativeBuckets()));
    }
    return out;
  }

  private static Session settled(SessionRegistry sessions, SessionId id, long seq) {
    Object owner = new Object();
    Session s = sessions.attach(id, owner).session();
    for (long i = 1; i <= seq; i++) {
      assertEquals(Session.Settled.NEW, s.settle(owner, i, () -> { }));
    }
    sessions.detach(s, owner);
    return s;
  }

  @Test
  void restoresEverySeriesExactlyExceptLiveGaugesAndRemovesTheFile() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    fill(before);
    SessionRegistry sessionsBefore = sessions();
    settled(sessionsBefore, SESSION, 41);
    Path file = dir.resolve("pidless.state");
    StateWriter.Saved saved = StateWriter.save(file, before, sessionsBefore, List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(new StateWriter.Saved(10, 1, 0), saved, "every series but the live gauge, and the one session");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertFalse(Files.exists(dir.resolve("pidless.state.tmp")));

    Instant later = SAVED_AT.plusSeconds(3);
    SeriesStore after = store(Limits.DEFAULTS, later);
    SessionRegistry sessionsAfter = sessions();
    StateReader.Restored r = StateReader.restore(file, after, sessionsAfter, Clock.fixed(later, ZoneOffset.UTC));

    assertEquals(new StateReader.Restored(10, 0, 0, 1, Duration.ofSeconds(3), List.of()), r);
    Map<String, String> expected = contents(before);
    expected.remove("workers");
    assertEquals(expected, contents(after), "values, help, bounds and _created times come back exactly");
    assertTrue(Files.exists(file), "the reader leaves the file; StateFile.consume removes it");
    new StateFile(file, after, sessionsAfter, new AggregatorStats(), Clock.systemUTC()).consume();
    assertFalse(Files.exists(file), "consumed, so a crash later starts from zero");

    Object owner = new Object();
    Session s = sessionsAfter.attach(SESSION, owner).session();
    assertEquals(Session.Settled.ALREADY_SETTLED, s.settle(owner, 41, () -> { }), "a re-sent batch applies once");
    assertEquals(Session.Settled.NEW, s.settle(owner, 42, () -> { }));
  }

  @Test
  void restoredSeriesKeepTheIdleTimeTheyHadLeftLessTheDowntime() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    DeltaBuffer b = new DeltaBuffer();
    b.addValue(before.define(request(MetricType.COUNTER, null, "old_total", new double[0])), 1);
    before.apply(b, 1, new ArrayList<>());
    nanos.addAndGet(Duration.ofMinutes(6).toNanos());
    b.clear();
    b.addValue(before.define(request(MetricType.COUNTER, null, "new_total", new double[0])), 2);
    before.apply(b, 1, new ArrayList<>());
    SessionRegistry sessionsBefore = sessions();
    settled(sessionsBefore, SESSION, 1);
    Path file = dir.resolve("pidless.state");
    StateWriter.save(file, before, sessionsBefore, List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));

    Instant later = SAVED_AT.plus(Duration.ofMinutes(5));
    SeriesStore after = store(Limits.DEFAULTS, later);
    StateReader.Restored r = StateReader.restore(file, after, sessions(), Clock.fixed(later, ZoneOffset.UTC));
    assertEquals(1, r.series(), "old_total had about 4 minutes left, less than the 5 minutes down");
    assertEquals(1, r.expiredWhileDown());
    assertEquals(1, r.sessions());
    assertEquals(List.of("new"), after.snapshot().stream().map(s -> s.key().toString()).toList());

    nanos.addAndGet(TTL.minus(Duration.ofMinutes(5)).toNanos());
    after.cleanUp();
    assertEquals(1, after.seriesCount(), "not gone before ttl since its last write, downtime included");
    nanos.addAndGet(TTL.dividedBy(64).toNanos() + 1);
    after.cleanUp();
    assertEquals(0, after.seriesCount(), "gone within ttl + ttl/64 of its last write, as if never stopped");
  }

  @Test
  void seriesTheLimitsNowRefuseAreSkippedAndCounted() throws Exception {
    Path file = savedFilledStore();
    Limits three = new Limits(3, 30, 256, 1024, Limits.DEFAULTS.maxFrameBytes());
    SeriesStore after = store(three, SAVED_AT);
    StateReader.Restored r = StateReader.restore(file, after, sessions(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(3, r.series());
    assertEquals(7, r.rejected());
    assertEquals(3, after.seriesCount());
  }

  @Test
  void aDamagedFileRestoresNothingAndIsMovedAside() throws Exception {
    Path file = savedFilledStore();
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);

    SeriesStore after = store(Limits.DEFAULTS, SAVED_AT);
    IOException e = assertThrows(StateReader.UnreadableStateException.class,
        () -> StateReader.restore(file, after, sessions(), Clock.systemUTC()));
    assertEquals("state file " + file + " is damaged (checksum mismatch)", e.getMessage());
    assertEquals(0, after.seriesCount(), "not one series of a damaged file");
    assertTrue(Files.exists(file), "the reader leaves the file where it is");

    assertNull(new StateFile(file, after, sessions(), new AggregatorStats(), Clock.systemUTC()).restore());
    assertFalse(Files.exists(file));
    assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("pidless.state.unreadable")), "kept for a post-mortem");
  }

  /** One counter with no labels and one session, saved: the file the crafted ones below start from. */
  private byte[] savedCounterAndSession() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    DeltaBuffer b = new DeltaBuffer();
    b.addValue(before.define(request(MetricType.COUNTER, null, "rows_total", new double[0])), 5);
    before.apply(b, 1, new ArrayList<>());
    SessionRegistry sessionsBefore = sessions();
    settled(sessionsBefore, SESSION, 3);
    Path file = dir.resolve("saved.state");
    StateWriter.save(file, before, sessionsBefore, List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    return Files.readAllBytes(file);
  }

  @Test
  void contentThatPassesTheChecksumButDoesNotDecodeRestoresNothingAndIsMovedAside() throws Exception {
    byte[] saved = savedCounterAndSession();
    int labels = StateFileSurgery.firstLabelCount("rows", "Help for rows_total");
    int seriesCount = StateFileSurgery.seriesCount("rows", "Help for rows_total");
    Map<String, byte[]> crafted = new TreeMap<>();
    crafted.put("label count -1 in family 1 of 1", StateFileSurgery.putShort(saved, labels, -1));
    crafted.put("bucket bound count -2 in family 1 of 1", StateFileSurgery.putShort(saved, labels + 2, -2));
    crafted.put("family count -1 in the family count",
        StateFileSurgery.putInt(saved, StateFileSurgery.FAMILY_COUNT, -1));
    crafted.put("series count -1 in the series count", StateFileSurgery.putInt(saved, seriesCount, -1));
    crafted.put("it ends inside family 1 of 1", StateFileSurgery.cut(saved, labels + 1));
    crafted.put("it ends inside series 1 of 1", StateFileSurgery.cut(saved, seriesCount + 4 + 4));
    crafted.put("family 1 of a table of 1 in series 1 of 1", StateFileSurgery.putInt(saved, seriesCount + 4, 1));
    crafted.put("family -1 of a table of 1 in series 1 of 1", StateFileSurgery.putInt(saved, seriesCount + 4, -1));
    crafted.put("label names out of order (b, a) in family 1 of 1", labelsSwapped());
    crafted.put("label count -1 in series 1 of 1", version2WithLabelCount(-1));
    crafted.put("it ends inside session 2 of 2",
        StateFileSurgery.putInt(saved, StateFileSurgery.sessionCount(saved, 1), 2));
    crafted.put("session count -7 in the session count",
        StateFileSurgery.putInt(saved, StateFileSurgery.sessionCount(saved, 1), -7));
    crafted.put("bytes after the checksum in the checksum", StateFileSurgery.append(saved, new byte[] {1, 2, 3}));
    crafted.put("an unknown metric type; was it written by a newer aggregator? in family 1 of 1",
        StateFileSurgery.putInt(saved, StateFileSurgery.FAMILY_COUNT + 4, 0x7f000000));
    crafted.put("push count -1 in the push count",
        StateFileSurgery.putInt(saved, StateFileSurgery.pushCount(saved), -1));
    crafted.put("it ends inside remote write push 1 of 1",
        StateFileSurgery.putInt(saved, StateFileSurgery.pushCount(saved), 1));
    crafted.put("it ends inside remote write push 1 of 2", withOnePush(saved, 2, 1, 1_000_000_000));
    crafted.put("body length -1 in remote write push 1 of 1", withOnePush(saved, 1, 1, -1));
    crafted.put("sample count -3 in remote write push 1 of 1", withOnePush(saved, 1, -3, 0));
    Path file = dir.resolve("pidless.state");
    for (Map.Entry<String, byte[]> c : crafted.entrySet()) {
      Files.write(file, c.getValue());
      SeriesStore after = store(Limits.DEFAULTS, SAVED_AT);
      SessionRegistry sessionsAfter = sessions();
      IOException e = assertThrows(StateReader.UnreadableStateException.class,
          () -> StateReader.restore(file, after, sessionsAfter, Clock.fixed(SAVED_AT, ZoneOffset.UTC)), c.getKey());
      assertEquals("state file " + file + " passes its checksum but cannot be decoded (" + c.getKey() + ")",
          e.getMessage());
      assertEquals(0, after.seriesCount(), "not one series of an undecodable file: " + c.getKey());
      assertEquals(0, sessionsAfter.size(), "not one session of an undecodable file: " + c.getKey());

      assertNull(new StateFile(file, after, sessionsAfter, new AggregatorStats(), Clock.systemUTC()).restore(), c.getKey());
      assertFalse(Files.exists(file));
      assertArrayEquals(c.getValue(), Files.readAllBytes(dir.resolve("pidless.state.unreadable")), c.getKey());
    }
  }

  /**
   * {@code saved} (no pushes) with the push count set to {@code pushes} and one push to URL "u" holding
   * {@code samples} and claiming a body of {@code length} bytes, of which none follow.
   */
  private static byte[] withOnePush(byte[] saved, int pushes, int samples, int length) {
    int at = StateFileSurgery.pushCount(saved);
    ByteBuffer b = ByteBuffer.allocate(at + 4 + 2 + 1 + 4 + 4 + 4);
    b.put(saved, 0, at).putInt(pushes).putShort((short) 1).put((byte) 'u').putInt(samples).putInt(length);
    return StateFileSurgery.sealed(b.array());
  }

  @Test
  void refusesFilesThatAreNotStateFilesOrOfAnotherVersion() throws Exception {
    Path file = dir.resolve("pidless.state");
    Files.writeString(file, "this is not a pidless state file, but long enough to pass the size check");
    assertThrows(StateReader.UnreadableStateException.class,
        () -> StateReader.restore(file, store(Limits.DEFAULTS, SAVED_AT), sessions(), Clock.systemUTC()));

    StateWriter.save(file, store(Limits.DEFAULTS, SAVED_AT), sessions(), List.of(), Clock.systemUTC());
    byte[] bytes = Files.readAllBytes(file);
    bytes[StateFormat.MAGIC.length + 3] = 4;
    Files.write(file, StateFileSurgery.sealed(bytes));
    IOException e = assertThrows(StateReader.UnreadableStateException.class,
        () -> StateReader.restore(file, store(Limits.DEFAULTS, SAVED_AT), sessions(), Clock.systemUTC()));
    assertEquals("state file " + file + " has version 4; this aggregator reads versions 1 to 3", e.getMessage());
  }

  @Test
  void undeliveredRemoteWritePushesComeBackWithTheirBodies() throws Exception {
    Path file = dir.resolve("pidless.state");
    byte[] body = {1, 2, 3, (byte) 0xff};
    StateWriter.save(file, store(Limits.DEFAULTS, SAVED_AT), sessions(),
        List.of(new SavedPush("http://127.0.0.1:9090/api/v1/write", 7, body)), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    List<SavedPush> back = new ArrayList<>();
    PushBacklog backlog = new PushBacklog() {
      @Override
      public List<SavedPush> undelivered() {
        return List.of();
      }

      @Override
      public void restore(List<SavedPush> pushes) {
        back.addAll(pushes);
      }
    };
    new StateFile(file, store(Limits.DEFAULTS, SAVED_AT), sessions(), new AggregatorStats(),
        Clock.fixed(SAVED_AT, ZoneOffset.UTC), backlog)
        .restore();
    assertEquals(1, back.size());
    assertEquals("http://127.0.0.1:9090/api/v1/write", back.get(0).url());
    assertEquals(7, back.get(0).samples());
    assertArrayEquals(body, back.get(0).body());
  }

  /**
   * A counter {@code pair_total{a="1",b="2"}} saved, then its label names swapped in the family
   * table: the values would no longer line up with them.
   */
  private byte[] labelsSwapped() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    before.define(request(MetricType.COUNTER, null, "pair_total", new double[0], "a", "1", "b", "2"));
    Path file = dir.resolve("pair.state");
    StateWriter.save(file, before, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    byte[] bytes = Files.readAllBytes(file);
    int firstName = StateFileSurgery.firstLabelCount("pair", "Help for pair_total") + 2 + 2;
    bytes[firstName] = 'b';
    bytes[firstName + 3] = 'a';
    return StateFileSurgery.sealed(bytes);
  }

  /** {@link #savedCounterAndSession}'s content as version 2 wrote it, with its label count set to {@code n}. */
  private byte[] version2WithLabelCount(int n) throws Exception {
    Path file = dir.resolve("v2.state");
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    before.define(request(MetricType.COUNTER, null, "rows_total", new double[0]));
    Version2Writer.save(file, before, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    // version 2: the series count, then the first series' type, mode, name and help
    int labels = StateFileSurgery.FAMILY_COUNT + 4 + 1 + 1 + 2 + "rows".length() + 2 + "Help for rows_total".length();
    return StateFileSurgery.putShort(Files.readAllBytes(file), labels, n);
  }

  @Test
  void anUpgradeKeepsTheStateAVersion2FileHeld() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    fill(before);
    SessionRegistry sessionsBefore = sessions();
    settled(sessionsBefore, SESSION, 41);
    Path file = dir.resolve("pidless.state");
    byte[] body = {1, 2, 3};
    Version2Writer.save(file, before, sessionsBefore, List.of(new SavedPush("http://127.0.0.1:9/w", 3, body)),
        Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(StateFormat.VERSION_WITHOUT_FAMILIES, ByteBuffer.wrap(Files.readAllBytes(file)).getInt(8));

    SeriesStore after = store(Limits.DEFAULTS, SAVED_AT);
    SessionRegistry sessionsAfter = sessions();
    StateReader.Restored r = StateReader.restore(file, after, sessionsAfter, Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(10, r.series());
    assertEquals(1, r.sessions());
    assertEquals(1, r.pushes().size());
    assertEquals("http://127.0.0.1:9/w", r.pushes().get(0).url());
    assertArrayEquals(body, r.pushes().get(0).body());
    Map<String, String> expected = contents(before);
    expected.remove("workers");
    assertEquals(expected, contents(after), "values, help, bounds and _created times come back exactly");
    Object owner = new Object();
    Session s = sessionsAfter.attach(SESSION, owner).session();
    assertEquals(Session.Settled.ALREADY_SETTLED, s.settle(owner, 41, () -> { }), "a re-sent batch applies once");

    StateWriter.save(file, after, sessionsAfter, r.pushes(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(StateFormat.VERSION, ByteBuffer.wrap(Files.readAllBytes(file)).getInt(8), "the next save is version 3");
    SeriesStore again = store(Limits.DEFAULTS, SAVED_AT);
    StateReader.restore(file, again, sessions(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(expected, contents(again));
  }

  @Test
  void readsVersionOneFilesWrittenBeforeRemoteWrite() throws Exception {
    Path file = dir.resolve("pidless.state");
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    fill(before);
    Version2Writer.save(file, before, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    byte[] v2 = Files.readAllBytes(file);
    // version 1 is version 2 without the push count before the CRC
    byte[] v1 = Arrays.copyOf(v2, v2.length - 4);
    v1[StateFormat.MAGIC.length + 3] = 1;
    Files.write(file, StateFileSurgery.sealed(v1));
    SeriesStore after = store(Limits.DEFAULTS, SAVED_AT);
    StateReader.Restored r = StateReader.restore(file, after, sessions(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(10, r.series());
    assertEquals(List.of(), r.pushes());
    Map<String, String> expected = contents(before);
    expected.remove("workers");
    assertEquals(expected, contents(after));
  }

  /**
   * The family table: a series of a two-label counter costs its row index, its two values and its
   * times and value, 25 bytes; the name, help and label names are written once. Version 2 wrote them
   * with every series.
   */
  @Test
  void eachSeriesHoldsItsLabelValuesButNotItsFamily() throws Exception {
    SeriesStore store = store(Limits.DEFAULTS, SAVED_AT);
    for (int n = 0; n < 1000; n++) {
      store.define(request(MetricType.COUNTER, null, "jobs_total", new double[0], "conn", "1", "series",
          String.format("%04d", n)));
    }
    Path v3 = dir.resolve("v3.state");
    Path v2 = dir.resolve("v2.state");
    StateWriter.save(v3, store, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    Version2Writer.save(v2, store, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    int family = 1 + 1 + (2 + 4) + (2 + "Help for jobs_total".length()) + 2 + (2 + 4) + (2 + 6) + 2;
    int series = 4 + (2 + 1) + (2 + 4) + 8 + 8 + 1 + 8;
    assertEquals(StateFileSurgery.FAMILY_COUNT + 4 + family + 4 + 1000 * series + 4 + 4 + 4, Files.size(v3));
    assertTrue(Files.size(v3) * 2 < Files.size(v2), Files.size(v3) + " bytes, version 2 " + Files.size(v2));
  }

  @Test
  void theHeaderTellsHowManySeriesTheStoreIsSizedForInEveryVersion() throws Exception {
    SeriesStore before = store(Limits.DEFAULTS, SAVED_AT);
    fill(before);
    Path v3 = dir.resolve("v3.state");
    StateWriter.save(v3, before, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    Path v2 = dir.resolve("v2.state");
    Version2Writer.save(v2, before, sessions(), List.of(), Clock.fixed(SAVED_AT, ZoneOffset.UTC));
    assertEquals(10, StateReader.seriesCount(v3), "after the family table");
    assertEquals(10, StateReader.seriesCount(v2), "right after the header");
    assertEquals(0, StateReader.seriesCount(dir.resolve("absent.state")));
    Path cut = dir.resolve("cut.state");
    Files.write(cut, Arrays.copyOf(Files.readAllBytes(v3), 30));
    assertEquals(0, StateReader.seriesCount(cut), "a header that ends early sizes nothing; the restore says why");
  }

  @Test
  void noFileMeansNothingToRestore() throws Exception {
    SeriesStore store = store(Limits.DEFAULTS, SAVED_AT);
    assertNull(new StateFile(dir.resolve("absent.state"), store, sessions(), new AggregatorStats(), Clock.systemUTC()).restore());
    assertEquals(0, store.seriesCount());
  }

  @Test
  void aFailedSaveReportsFalseAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("missing-dir/pidless.state");
    SeriesStore store = store(Limits.DEFAULTS, SAVED_AT);
    fill(store);
    assertFalse(new StateFile(file, store, sessions(), new AggregatorStats(), Clock.systemUTC()).save());
    assertNotNull(dir.toFile().list());
    assertEquals(0, dir.toFile().list().length);
  }
}
