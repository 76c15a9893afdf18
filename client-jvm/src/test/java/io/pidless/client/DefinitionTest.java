package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.GaugeMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad API input fails at definition (or update) time with a message naming the bad value. */
class DefinitionTest {
  private final PidlessClient client = PidlessClient.builder().socket(Path.of("/tmp/pidless-none/none.sock"))
      .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();

  @AfterEach
  void close() {
    client.close();
  }

  private static void assertMessage(Throwable t, String part) {
    assertTrue(t.getMessage().contains(part), "message should contain '" + part + "': " + t.getMessage());
  }

  @Test
  void invalidMetricNameIsRejectedWithTheName() {
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> Counter.build("etl-records", "x").register(client)), "Invalid metric name: etl-records");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> Counter.build("pidless_mine_total", "x").register(client)), "reserved");
  }

  @Test
  void invalidLabelNamesAreRejected() {
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> Counter.build("a_total", "x").labelNames("__x").register(client)), "__x");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> Histogram.build("h", "x").labelNames("le").register(client)), "reserved for histogram");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> Counter.build("b_total", "x").labelNames("k", "k").register(client)), "twice");
  }

  @Test
  void missingHelpIsAnError() {
    assertMessage(assertThrows(IllegalStateException.class,
        () -> Counter.build().name("c_total").register(client)), "Help hasn't been set");
  }

  @Test
  void wrongLabelCountAndNullValueAreRejected() {
    Counter c = Counter.build("d_total", "x").labelNames("a", "b").register(client);
    assertMessage(assertThrows(IllegalArgumentException.class, () -> c.labels("1")), "Incorrect number of labels");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> c.labels("1", null)), "null");
    assertMessage(assertThrows(IllegalStateException.class, c::inc), "labels(...)");
  }

  @Test
  void counterRefusesNegativeAndNonFiniteAmounts() {
    Counter c = Counter.build("e_total", "x").register(client);
    assertMessage(assertThrows(IllegalArgumentException.class, () -> c.inc(-1)), "-1.0");
    assertThrows(IllegalArgumentException.class, () -> c.inc(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> c.inc(Double.POSITIVE_INFINITY));
  }

  @Test
  void observationsMustBeFinite() {
    Histogram h = Histogram.build("f_seconds", "x").register(client);
    Summary s = Summary.build("g_bytes", "x").register(client);
    assertThrows(IllegalArgumentException.class, () -> h.observe(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> s.observe(Double.NEGATIVE_INFINITY));
  }

  @Test
  void bucketsMustIncreaseAndInfinityIsImplied() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> Histogram.build().buckets(1, 1)), "[1.0, 1.0]");
    assertThrows(IllegalArgumentException.class, () -> Histogram.build().buckets(Double.NaN));
    Histogram h = Histogram.build("h_seconds", "x").buckets(1, 2, Double.POSITIVE_INFINITY).register(client);
    assertEquals(2, h.family.bounds.length);
  }

  @Test
  void sumGaugeRefusesNonFiniteValuesAndChanges() {
    Gauge g = Gauge.build("level", "x").mode(GaugeMode.SUM).register(client);
    assertMessage(assertThrows(IllegalArgumentException.class, () -> g.set(Double.NaN)), "got NaN for level");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> g.inc(Double.NEGATIVE_INFINITY)), "finite");
    g.set(3);
    g.dec(1);
    assertEquals(2.0, g.labels().get(), "the refused calls changed nothing");
  }

  @Test
  void registeringTheSameDefinitionAgainReturnsTheRegisteredMetric() {
    Counter first = Counter.build("same_total", "x").labelNames("a").register(client);
    assertSame(first, Counter.build("same_total", "x").labelNames("a").register(client));
  }

  @Test
  void conflictingDefinitionsNameBothSides() {
    Counter.build("jobs_total", "x").register(client);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Counter.build("jobs", "x").labelNames("a").register(client));
    assertMessage(e, "counter jobs_total[]");
    assertMessage(e, "counter jobs[a]");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> Gauge.build("jobs_total", "x").register(client)),
        "gauge(livesum) jobs_total[]");
  }

  @Test
  void builderOptionsAreSetOnceAndPositive() {
    PidlessClient.Builder b = PidlessClient.builder().flushInterval(Duration.ofSeconds(1));
    assertThrows(IllegalStateException.class, () -> b.flushInterval(Duration.ofSeconds(2)));
    assertThrows(IllegalArgumentException.class, () -> PidlessClient.builder().shutdownTimeout(Duration.ZERO));
  }
}
