package io.pidless.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Names#RESERVED_PREFIX}, the one Java source of the prefix, is the one docs/PROTOCOL.md reserves. */
class ReservedPrefixDocTest {
  @Test
  void theReservedPrefixIsTheOneTheProtocolDocumentReserves() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "PROTOCOL.md"));
    Matcher m = Pattern.compile("metric names starting with `([^`]+)` are reserved for the aggregator's own metrics")
        .matcher(doc);
    assertTrue(m.find(), "docs/PROTOCOL.md no longer says which metric name prefix is reserved (section Names)");
    assertEquals(m.group(1), Names.RESERVED_PREFIX);
  }
}
