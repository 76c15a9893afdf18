package io.pidless.aggregator.store;

import static io.pidless.aggregator.store.SeriesStoreTest.counter;
import static io.pidless.aggregator.store.SeriesStoreTest.gauge;
import static io.pidless.aggregator.store.SeriesStoreTest.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Each rule a definition must meet, with the exact code and message a client is told when it does not. */
class DefinitionRulesTest {
  /** At most 2 labels, names of 20 bytes, label values of 10. */
  private final DefinitionRules rules = new DefinitionRules(new Limits(100, 2, 20, 10, 1 << 20));

  private static final String LABEL_RULE = " (must match [a-zA-Z_][a-zA-Z0-9_]*, not start with __, and not be le on a"
      + " histogram or quantile on a summary)";

  static Stream<Arguments> brokenRules() {
    DefineRequest longHelp = new DefineRequest(MetricType.COUNTER.code(), 0, "ok", "h".repeat(Protocol.MAX_HELP_BYTES + 1),
        new String[0], new String[0], new double[0]);
    return Stream.of(
        Arguments.of(new DefineRequest(9, 0, "ok", "", new String[0], new String[0], new double[0]),
            ErrorCode.INVALID_DEFINITION, "unknown metric type 9 for ok (1 counter, 2 gauge, 3 histogram, 4 summary)"),
        Arguments.of(request(MetricType.GAUGE, 0, "g", new double[0]),
            ErrorCode.INVALID_DEFINITION, "unknown gauge mode 0 for g (1..7, see docs/PROTOCOL.md)"),
        Arguments.of(request(MetricType.GAUGE, 8, "g", new double[0]),
            ErrorCode.INVALID_DEFINITION, "unknown gauge mode 8 for g (1..7, see docs/PROTOCOL.md)"),
        Arguments.of(request(MetricType.COUNTER, 2, "c", new double[0]),
            ErrorCode.INVALID_DEFINITION, "mode 2 given for c, which is not a gauge (send 0)"),
        Arguments.of(counter("n".repeat(21)),
            ErrorCode.LENGTH_LIMIT, "metric name is longer than 20 bytes: 'nnnnnnnnnnnnnnnnnnnnn...'"),
        Arguments.of(counter("bad-name"),
            ErrorCode.INVALID_NAME, "invalid metric name 'bad-name' (must match [a-zA-Z_:][a-zA-Z0-9_:]*)"),
        Arguments.of(counter("pidless_series"), ErrorCode.INVALID_NAME,
            "metric name 'pidless_series' is reserved: the prefix pidless_ belongs to the aggregator's own metrics"),
        Arguments.of(longHelp, ErrorCode.LENGTH_LIMIT,
            "help of ok is longer than " + Protocol.MAX_HELP_BYTES + " bytes: '" + "h".repeat(40) + "...'"),
        Arguments.of(counter("ok", "a", "1", "b", "2", "c", "3"),
            ErrorCode.LABEL_LIMIT, "ok has 3 labels, more than the limit of 2 (--max-labels)"),
        Arguments.of(counter("ok", "l".repeat(21), "1"),
            ErrorCode.LENGTH_LIMIT, "label name is longer than 20 bytes: 'lllllllllllllllllllll...'"),
        Arguments.of(counter("ok", "__x", "1"), ErrorCode.INVALID_LABEL, "invalid label name '__x' on ok" + LABEL_RULE),
        Arguments.of(counter("ok", "bad-label", "1"),
            ErrorCode.INVALID_LABEL, "invalid label name 'bad-label' on ok" + LABEL_RULE),
        Arguments.of(request(MetricType.HISTOGRAM, 0, "h", new double[0], "le", "1"),
            ErrorCode.INVALID_LABEL, "invalid label name 'le' on h" + LABEL_RULE),
        Arguments.of(request(MetricType.SUMMARY, 0, "s", new double[0], "quantile", "1"),
            ErrorCode.INVALID_LABEL, "invalid label name 'quantile' on s" + LABEL_RULE),
        Arguments.of(counter("ok", "a", "1", "a", "2"), ErrorCode.INVALID_LABEL, "label 'a' appears twice on ok"),
        Arguments.of(counter("ok", "a", "v".repeat(11)),
            ErrorCode.LENGTH_LIMIT, "label value on ok is longer than 10 bytes: 'vvvvvvvvvvv...'"),
        Arguments.of(counter("ok", "a", "é".repeat(6)),
            ErrorCode.LENGTH_LIMIT, "label value on ok is longer than 10 bytes: 'éééééé...'"),
        Arguments.of(request(MetricType.HISTOGRAM, 0, "h", new double[] {2, 1}), ErrorCode.INVALID_DEFINITION,
            "histogram h has bucket bounds [2.0, 1.0]; they must be finite and strictly increasing"),
        Arguments.of(request(MetricType.HISTOGRAM, 0, "h", new double[] {1, Double.POSITIVE_INFINITY}),
            ErrorCode.INVALID_DEFINITION,
            "histogram h has bucket bounds [1.0, Infinity]; they must be finite and strictly increasing"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("brokenRules")
  void aBrokenRuleIsRejectedWithItsCodeAndAMessageNamingIt(DefineRequest r, ErrorCode code, String message) {
    DefinitionRejectedException e = assertThrows(DefinitionRejectedException.class, () -> rules.check(r));
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(message, e.getMessage());
  }

  @Test
  void aValidDefinitionBecomesItsFamilyWithSortedLabelNames() throws Exception {
    Family f = rules.check(counter("jobs_total", "stage", "map", "app", "etl"));
    assertEquals("jobs", f.name(), "a counter's family is named without _total");
    assertEquals(List.of("app", "stage"), f.labelNames());
    assertNull(f.mode());

    Family g = rules.check(gauge(GaugeMode.MAX, "peak_bytes"));
    assertEquals(GaugeMode.MAX, g.mode());
    assertArrayEquals(new double[] {0.5, 1}, rules.check(request(MetricType.HISTOGRAM, 0, "h", new double[] {0.5, 1}))
        .bounds());
  }

  @Test
  void aDefinitionDifferingFromTheFirstDefinerIsATypeClashNamingBoth() throws Exception {
    Family counter = rules.check(counter("x_total"));
    Family gauge = rules.check(gauge(GaugeMode.LAST, "x"));
    assertNull(DefinitionRules.typeClash(counter, rules.check(counter("x"))));
    DefinitionRejectedException e = DefinitionRules.typeClash(counter, gauge);
    assertEquals(ErrorCode.TYPE_CLASH, e.code());
    assertEquals("metric x is a counter, not a gauge (defined so by an earlier client; the first definer wins)",
        e.getMessage());

    DefinitionRejectedException exposed = DefinitionRules.exposureClash(rules.check(gauge(GaugeMode.LAST, "x_created")),
        "x_created", counter);
    assertEquals(ErrorCode.TYPE_CLASH, exposed.code());
    assertEquals("metric x_created would expose x_created, which counter x already exposes; rename one of them",
        exposed.getMessage());
  }
}
