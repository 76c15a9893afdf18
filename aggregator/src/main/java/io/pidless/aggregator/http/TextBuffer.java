package io.pidless.aggregator.http;

import io.prometheus.client.Collector;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A byte array the exposition text is written into. A scrape of 100,000 series is over 10 MB; going
 * through a {@code StringBuilder}, a {@code String} and an encoder copied and scanned those bytes
 * three times more than writing them here once. Either it grows to hold all that is written, or,
 * {@linkplain #draining draining}, it hands its bytes to a {@link Drain} each time it is full and
 * starts over, so a whole scrape goes through one chunk-sized array and out while it is written.
 *
 * <pre>{@code
 * TextBuffer text = new TextBuffer(64);
 * text.append("x_total ").appendValue(3).append('\n');   // x_total 3.0
 * text.length();   // 11
 *
 * TextBuffer chunks = TextBuffer.draining(64 * 1024, (bytes, n) -> out.write(bytes, 0, n));
 * chunks.append("x_total ").appendValue(3).append('\n');
 * chunks.drain();   // the rest
 * }</pre>
 */
final class TextBuffer {
  /** Where a draining buffer's bytes go; it must not keep {@code bytes}, which are overwritten next. */
  @FunctionalInterface
  interface Drain {
    void accept(byte[] bytes, int length);
  }

  private byte[] bytes;
  private int length;
  private final Drain drain;

  TextBuffer(int capacity) {
    this(capacity, null);
  }

  private TextBuffer(int capacity, Drain drain) {
    bytes = new byte[Math.max(capacity, 16)];
    this.drain = drain;
  }

  /**
   * A buffer of {@code capacity} bytes that passes what it holds to {@code drain} whenever an append
   * does not fit; it grows only for one append larger than itself.
   */
  static TextBuffer draining(int capacity, Drain drain) {
    return new TextBuffer(capacity, drain);
  }

  /** Passes what the buffer holds to its drain, if any is held, and empties it. */
  void drain() {
    if (length > 0) {
      drain.accept(bytes, length);
      length = 0;
    }
  }

  int length() {
    return length;
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
      makeRoom(more);
    }
  }

  private void makeRoom(int more) {
    if (drain != null) {
      drain();
      if (bytes.length >= more) {
        return;
      }
    }
    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
  }
}
