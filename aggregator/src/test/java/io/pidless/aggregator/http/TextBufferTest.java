package io.pidless.aggregator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextBufferTest {
  /** What {@code b} holds, read as a scrape reads the own metrics' buffer: appended to a draining one. */
  private static String text(TextBuffer b) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TextBuffer chunks = TextBuffer.draining(16, (bytes, n) -> out.write(bytes, 0, n));
    chunks.append(b);
    chunks.drain();
    assertEquals(b.length(), out.size());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String value(double v) throws Exception {
    return text(new TextBuffer(1).appendValue(v));
  }

  private static String number(long v) throws Exception {
    return text(new TextBuffer(1).append(v));
  }

  @Test
  void wholeNumbersBelowTwoToThe53AreWrittenInFull() throws Exception {
    assertEquals("0.0", value(0));
    assertEquals("1.0", value(1));
    assertEquals("-7.0", value(-7));
    assertEquals("12345678.0", value(12345678));
    assertEquals("1000000000000000.0", value(1e15));
    assertEquals("9007199254740991.0", value(9.007199254740991E15));
    assertEquals("-9007199254740991.0", value(-9.007199254740991E15));
  }

  @Test
  void everythingElseIsWrittenAsDoubleToString() throws Exception {
    assertEquals("-0.0", value(-0.0));
    assertEquals("9.007199254740992E15", value(9.007199254740992E15));
    assertEquals("9.007199254740994E15", value(9.007199254740994E15));
    assertEquals("-1.0E20", value(-1e20));
    assertEquals("1.0E300", value(1e300));
    assertEquals("1.7976931348623157E308", value(Double.MAX_VALUE));
    assertEquals("0.5", value(0.5));
    assertEquals("0.30000000000000004", value(0.1 + 0.2));
    assertEquals("1.0E-9", value(1e-9));
    assertEquals("4.9E-324", value(Double.MIN_VALUE));
    assertEquals("1.5E-300", value(-1.5e-300 * -1));
  }

  @Test
  void nonFiniteValuesAreWrittenAsGoReadsThem() throws Exception {
    assertEquals("NaN", value(Double.NaN));
    assertEquals("+Inf", value(Double.POSITIVE_INFINITY));
    assertEquals("-Inf", value(Double.NEGATIVE_INFINITY));
  }

  @Test
  void longsOfEveryLength() throws Exception {
    assertEquals("0", number(0));
    assertEquals("9", number(9));
    assertEquals("10", number(10));
    assertEquals("-1", number(-1));
    assertEquals("999999999999999999", number(999_999_999_999_999_999L));
    assertEquals("1000000000000000000", number(1_000_000_000_000_000_000L));
    assertEquals("9223372036854775807", number(Long.MAX_VALUE));
    assertEquals("-9223372036854775808", number(Long.MIN_VALUE));
    for (long v = 1; v > 0 && v < Long.MAX_VALUE / 3; v = v * 3 + 1) {
      assertEquals(Long.toString(v), number(v));
      assertEquals(Long.toString(-v), number(-v));
    }
  }

  @Test
  void growsPastItsCapacityKeepingWhatItHolds() throws Exception {
    TextBuffer b = new TextBuffer(16);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      b.append("série ").append(i).append(' ').append(new byte[] {'a', 'b', 'c'}, 1, 2).append('\n');
      expected.append("série ").append(i).append(' ').append("bc").append('\n');
    }
    assertEquals(expected.toString(), text(b));
  }

  @Test
  void aDrainingBufferPassesOnFullChunksInOrderAndTheRestWhenDrained() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TextBuffer b = TextBuffer.draining(16, (bytes, n) -> {
      sizes.add(n);
      out.write(bytes, 0, n);
    });
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      b.append("line ").append(i).append('\n');
      expected.append("line ").append(i).append('\n');
    }
    byte[] wide = "w".repeat(40).getBytes(StandardCharsets.US_ASCII);
    b.append(wide);   // one append larger than the chunk: drained before, then held whole
    expected.append("w".repeat(40));
    b.drain();
    b.drain();   // nothing more to pass on
    assertEquals(expected.toString(), out.toString(StandardCharsets.UTF_8));
    assertEquals(40, sizes.get(sizes.size() - 1));
    for (int n : sizes.subList(0, sizes.size() - 1)) {
      assertTrue(n > 16 - 8 && n <= 16, "a chunk of " + n + " bytes: " + sizes);   // 8: the longest append here but one
    }
    assertEquals(0, b.length());
  }
}
