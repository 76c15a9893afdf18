package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Names;
import io.pidless.protocol.Protocol;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The JVM's protocol constants against the tables of docs/PROTOCOL.md, row by row: a change on one
 * side only fails here naming the document's row and the constant. The Python client's
 * tests/test_protocol.py reads the same tables.
 */
class ProtocolConstantsTest {

  /** Every documented row names a constant with the documented values, and every constant has a row. */
  private static <E extends Enum<E>> void sameConstants(Class<E> type, String headerStart, String nameColumn,
      Function<String, String> toConstant, Map<String, Function<E, String>> columns) {
    var documented = new TreeSet<String>();
    for (ProtocolDoc.Row row : ProtocolDoc.rows(headerStart)) {
      String name = toConstant.apply(row.cell(nameColumn));
      documented.add(name);
      E constant = Arrays.stream(type.getEnumConstants()).filter(c -> c.name().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError(row.where() + ": no " + type.getSimpleName() + "." + name));
      columns.forEach((column, value) -> assertEquals(row.cell(column), value.apply(constant),
          row.where() + ": column '" + column + "' differs from " + type.getSimpleName() + "." + name));
    }
    var inCode = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(inCode, documented, type.getSimpleName() + " constants without a row in docs/PROTOCOL.md ("
        + headerStart + "), or rows without a constant");
  }

  private static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  @Test
  void errorCodesAndTheirRetryabilityAreTheDocumentedOnes() {
    sameConstants(ErrorCode.class, "| code | name | retryable |", "name", Function.identity(), Map.of(
        "code", c -> String.valueOf(c.code()),
        "retryable", c -> yesNo(c.retryable())));
  }

  @Test
  void gaugeModesAreTheDocumentedOnes() {
    sameConstants(GaugeMode.class, "| mode | value |", "mode", m -> m.toUpperCase(Locale.ROOT), Map.of(
        "value", m -> String.valueOf(m.code()),
        "when a writer's connection closes", m -> m.isLive() ? "its value is removed" : "kept"));
  }

  @Test
  void metricTypesAreTheDocumentedOnes() {
    sameConstants(MetricType.class, "| type | value |", "type", t -> t.toUpperCase(Locale.ROOT), Map.of(
        "value", t -> String.valueOf(t.code())));
  }

  @Test
  void frameTypesAreTheDocumentedOnes() {
    sameConstants(FrameType.class, "| type | name |", "name", Function.identity(), Map.of(
        "type", t -> String.format("0x%02x", t.code())));
  }

  @Test
  void limitsAreTheDocumentedOnes() {
    Map<String, Object> constants = Map.of(
        "protocol version", Protocol.VERSION,
        "session id bytes", Protocol.SESSION_ID_BYTES,
        "reserved metric name prefix", Names.RESERVED_PREFIX,
        "help bytes, at most", Protocol.MAX_HELP_BYTES,
        "series id, at most", Protocol.MAX_SERIES_ID,
        "ids per connection, at most", Protocol.MAX_IDS_PER_CONNECTION,
        "`--max-frame-bytes` default", Limits.DEFAULTS.maxFrameBytes(),
        "`--max-name-length` default", Limits.DEFAULTS.maxNameLength(),
        "`--max-label-value-length` default", Limits.DEFAULTS.maxLabelValueLength(),
        "`--max-labels` default", Limits.DEFAULTS.maxLabels());
    var documented = new TreeSet<String>();
    for (ProtocolDoc.Row row : ProtocolDoc.rows("| limit | value |")) {
      String limit = row.cell("limit");
      documented.add(limit);
      Object constant = constants.get(limit);
      assertEquals(row.cell("value"), String.valueOf(constant), row.where() + ": differs from the JVM constant");
    }
    assertEquals(new TreeSet<>(constants.keySet()), documented, "limits pinned here vs rows of docs/PROTOCOL.md");
    assertEquals(Protocol.DEFAULT_MAX_FRAME_BYTES, Limits.DEFAULTS.maxFrameBytes(),
        "the aggregator's default frame limit is the protocol's");
  }
}
