package io.pidless.aggregator.http;

import io.prometheus.client.Collector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array the series text is written into and then sent as is. A scrape of 100,000
 * series is over 10 MB; going through a {@code StringBuilder}, a {@code String} and an encoder
 * copied and scanned those bytes three times more than writing them here once.
 *
 * <pre>{@code
 * TextBuffer text = new TextBuffer(64);
 * text.append("x_total ").appendValue(3).append('\n');   // x_total 3.0
 * text.writeTo(out);
 * }</pre>
 */
final class TextBuffer {
  private byte[] bytes;
  private int length;

  TextBuffer(int capacity) {
    bytes = new byte[Math.max(capacity, 16)];
  }

  int length() {
    return length;
  }

  /**
   * Grows the buffer once to hold {@code n} more bytes, and an eighth more so a few new series do not
   * grow it again: growing by doubling as a 12 MB scrape is written left 16 MB of dead arrays behind,
   * and doubling a full buffer for a few bytes more would hold twice the heap the scrape needs.
   */
  void reserve(long n) {
    long wanted = Math.min(length + n, Integer.MAX_VALUE - 16);
    if (bytes.length < wanted) {
      bytes = Arrays.copyOf(bytes, (int) Math.min(wanted + wanted / 8, Integer.MAX_VALUE - 16));
    }
  }

  /** Empties the buffer, keeping its capacity. */
  void clear() {
    length = 0;
  }

  TextBuffer append(byte[] b) {
    return append(b, 0, b.length);
  }

  TextBuffer append(byte[] b, int offset, int count) {
    ensure(count);
    System.arraycopy(b, offset, bytes, length, count);
    length += count;
    return this;
  }

  /** {@code c} must be ASCII. */
  TextBuffer append(char c) {
    ensure(1);
    bytes[length++] = (byte) c;
    return this;
  }

  TextBuffer append(TextBuffer other) {
    return append(other.bytes, 0, other.length);
  }

  /** Any text, as UTF-8. */
  TextBuffer append(String s) {
    return append(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Decimal digits, with a minus sign when negative. */
  TextBuffer append(long v) {
    if (v == Long.MIN_VALUE) {
      return append(Long.toString(v));
    }
    if (v < 0) {
      append('-');
      v = -v;
    }
    int digits = 1;
    for (long p = 10; digits < 19 && v >= p; p *= 10) {
      digits++;
    }
    ensure(digits);
    length += digits;
    for (int i = length - 1; i >= length - digits; i--) {
      bytes[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return this;
  }

  /**
   * A sample value as Go's ParseFloat reads it: {@link Collector#doubleToGoString}'s text, except
   * that whole numbers below 2^53, which counters and counts nearly always are, are written as
   * {@code 12345678.0} without {@link Double#toString}, the costliest step of a scrape.
   */
  TextBuffer appendValue(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 9.007199254740992E15 && !(v == 0 && 1 / v < 0)) {
      return append((long) v).append('.').append('0');
    }
    return append(Collector.doubleToGoString(v));
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, length);
  }

  /** Reads the bytes written so far, without copying them. */
  InputStream inputStream() {
    return new ByteArrayInputStream(bytes, 0, length);
  }

  /** Appends whatever is written to it: where a gzip stream or a {@code Writer} puts its bytes. */
  OutputStream outputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
      }

      @Override
      public void write(byte[] b, int offset, int count) {
        append(b, offset, count);
      }
    };
  }

  private void ensure(int more) {
    if (bytes.length - length < more) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }
}
