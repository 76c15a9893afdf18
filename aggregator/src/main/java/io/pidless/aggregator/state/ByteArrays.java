package io.pidless.aggregator.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The state file is read and written whole in memory, field by field through Data*Stream, which
 * calls {@code read()} or {@code write(int)} once per byte of every int and short. The JDK's
 * byte-array streams lock on every such call; these do not, and are confined to one thread.
 */
final class ByteArrays {
  private ByteArrays() {}

  /** Reads {@code bytes} without locking. */
  static final class Input extends ByteArrayInputStream {
    Input(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int read() {
      return pos < count ? buf[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= count) {
        return len == 0 ? 0 : -1;
      }
      int n = Math.min(len, count - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  /** Collects bytes without locking; {@link #bytes} and {@link #size} give them without a copy. */
  static final class Output extends ByteArrayOutputStream {
    Output(int initialSize) {
      super(initialSize);
    }

    @Override
    public void write(int b) {
      if (count == buf.length) {
        buf = Arrays.copyOf(buf, Math.max(16, buf.length * 2));
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (count + len > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + len));
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    byte[] bytes() {
      return buf;
    }
  }
}
