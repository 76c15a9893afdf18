package io.pidless.aggregator.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.pidless.protocol.MetricType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LabelTextTest {
  private static String render(String[] names, String... values) {
    return new String(LabelText.render(names, values), StandardCharsets.UTF_8);
  }

  @Test
  void rendersSortedLabelsAsTheExpositionWritesThem() {
    assertEquals("{a=\"1\",b=\"two\"}", render(new String[] {"a", "b"}, "1", "two"));
    assertEquals("{a=\"\"}", render(new String[] {"a"}, ""));
  }

  @Test
  void noLabelsIsNoTextAtAll() {
    assertEquals(0, LabelText.render(new String[0], new String[0]).length);
  }

  @Test
  void escapesBackslashQuoteAndNewlineInValues() {
    assertEquals("{a=\"C:\\\\x\",b=\"say \\\"hi\\\"\",c=\"one\\ntwo\"}",
        render(new String[] {"a", "b", "c"}, "C:\\x", "say \"hi\"", "one\ntwo"));
    assertEquals("{a=\"tab\there\\\\n\"}", render(new String[] {"a"}, "tab\there\\n"));
  }

  @Test
  void nonAsciiValuesAreUtf8() {
    assertArrayEquals("{city=\"Zürich 東京\"}".getBytes(StandardCharsets.UTF_8),
        LabelText.render(new String[] {"city"}, new String[] {"Zürich 東京"}));
  }

  @Test
  void everyCharacterIsCopiedOrEscapedWhetherTheValueIsPlainAsciiOrNot() {
    for (char c = 0; c < 0x3000; c++) {
      if (Character.isSurrogate(c)) {
        continue;
      }
      String escaped = switch (c) {
        case '\\' -> "\\\\";
        case '"' -> "\\\"";
        case '\n' -> "\\n";
        default -> String.valueOf(c);
      };
      assertEquals("{a=\"x" + escaped + "y\",b=\"z\"}", render(new String[] {"a", "b"}, "x" + c + "y", "z"),
          "character " + (int) c);
    }
  }

  @Test
  void valuesReadBackWhatWasRenderedEscapesAndAllIncluded() {
    String[] names = {"a", "b", "c", "d", "e"};
    String[] values = {"C:\\x", "say \"hi\", a=\"b\"", "one\ntwo\\n", "Zürich 東京 \uD83D\uDE00", ""};
    assertArrayEquals(values, LabelText.values(LabelText.render(names, values), names.length));
    assertArrayEquals(new String[] {"1"}, LabelText.values(LabelText.render(new String[] {"a"}, new String[] {"1"}), 1));
    assertArrayEquals(new String[0], LabelText.values(LabelText.render(new String[0], new String[0]), 0));
  }

  @Test
  void helpEscapesQuotesOnlyWhenAsked() {
    StringBuilder text = new StringBuilder();
    LabelText.escape("a \"b\" \\ c\nd", false, text);
    assertEquals("a \"b\" \\\\ c\\nd", text.toString());
    text.setLength(0);
    LabelText.escape("a \"b\" \\ c\nd", true, text);
    assertEquals("a \\\"b\\\" \\\\ c\\nd", text.toString());
  }

  @Test
  void keysAreEqualExactlyWhenTheirLabelSetsAre() {
    String[] names = {"a", "b"};
    SeriesKey key = SeriesKey.of(family("m"), names, new String[] {"x\\", "\""});
    assertEquals(key, SeriesKey.of(family("m"), names, new String[] {"x\\", "\""}));
    assertEquals(key.hashCode(), SeriesKey.of(family("m"), names, new String[] {"x\\", "\""}).hashCode());
    assertNotEquals(key, SeriesKey.of(family("m"), names, new String[] {"x", "\\\""}));
    assertNotEquals(key, SeriesKey.of(family("n"), names, new String[] {"x\\", "\""}));
    assertEquals("m{a=\"x\\\\\",b=\"\\\"\"}", key.toString());
    assertEquals("m", SeriesKey.of(family("m"), new String[0], new String[0]).toString());
  }

  @Test
  void aSeriesAndItsProbeAreEqualFromEitherSideWithOneHash() {
    String[] names = {"a"};
    SeriesKey probe = SeriesKey.of(family("m"), names, new String[] {"1"});
    Series series = Series.create(probe, family("m"), 0);
    assertEquals(probe, series);
    assertEquals(series, probe);
    assertEquals(probe.hashCode(), series.hashCode());
    assertNotEquals(series, Series.create(SeriesKey.of(family("m"), names, new String[] {"2"}), family("m"), 0));
  }

  private static Family family(String name) {
    return new Family(name, "", MetricType.COUNTER, null, new String[] {"a", "b"}, new double[0]);
  }
}
