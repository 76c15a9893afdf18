package io.pidless.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes client frames into one growable buffer, so a flush writes HELLO, DEFINEs and a BATCH with
 * a single syscall. Not thread-safe: one writer per connection.
 *
 * <pre>{@code
 * FrameWriter w = new FrameWriter();
 * w.hello(sessionId, "my-worker/1.0");
 * w.define(1, MetricType.COUNTER, null, "jobs_total", "Jobs run", new String[0], new String[0], null);
 * w.beginFrame(FrameType.BATCH).varint(1).varint(1).varint(1).f64(3.0).endFrame();
 * w.writeTo(channel);
 * }</pre>
 */
public final class FrameWriter {
  private byte[] buf;
  private int size;
  private int frameStart = -1;

  public FrameWriter() {
    this(4096);
  }

  public FrameWriter(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  /** Starts a frame: reserves its length prefix and writes the type byte. */
  public FrameWriter beginFrame(FrameType type) {
    if (frameStart >= 0) {
      throw new IllegalStateException("frame already open");
    }
    frameStart = size;
    ensure(5);
    size += Protocol.LENGTH_PREFIX_BYTES;
    buf[size++] = (byte) type.code();
    return this;
  }

  /** Ends the open frame by writing its length prefix; returns the frame's length field. */
  public int endFrame() {
    if (frameStart < 0) {
      throw new IllegalStateException("no frame open");
    }
    int length = size - frameStart - Protocol.LENGTH_PREFIX_BYTES;
    buf[frameStart] = (byte) (length >>> 24);
    buf[frameStart + 1] = (byte) (length >>> 16);
    buf[frameStart + 2] = (byte) (length >>> 8);
    buf[frameStart + 3] = (byte) length;
    frameStart = -1;
    return length;
  }

  public FrameWriter u8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  /** Writes {@code v}, read as unsigned, as a {@link Varint}. */
  public FrameWriter varint(long v) {
    ensure(Varint.MAX_BYTES);
    Varint.write(v, b -> buf[size++] = (byte) b);
    return this;
  }

  public FrameWriter f64(double v) {
    long bits = Double.doubleToRawLongBits(v);
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[size++] = (byte) (bits >>> shift);
    }
    return this;
  }

  public FrameWriter bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  public FrameWriter string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varint(b.length);
    return bytes(b);
  }

  /** Writes a whole HELLO frame. */
  public FrameWriter hello(byte[] sessionId, String client) {
    if (sessionId.length != Protocol.SESSION_ID_BYTES) {
      throw new IllegalArgumentException("session id must be 16 bytes, got " + sessionId.length);
    }
    beginFrame(FrameType.HELLO).u8(Protocol.VERSION).bytes(sessionId).string(client);
    endFrame();
    return this;
  }

  /**
   * Writes a whole DEFINE frame. {@code mode} is null unless {@code type} is a gauge; {@code bounds}
   * is null unless it is a histogram.
   */
  public FrameWriter define(int id, MetricType type, GaugeMode mode, String name, String help,
      String[] labelNames, String[] labelValues, double[] bounds) {
    if (labelNames.length != labelValues.length) {
      throw new IllegalArgumentException("label names and values differ in length");
    }
    beginFrame(FrameType.DEFINE).varint(id).u8(type.code()).u8(mode == null ? 0 : mode.code())
        .string(name).string(help).varint(labelNames.length);
    for (int i = 0; i < labelNames.length; i++) {
      string(labelNames[i]).string(labelValues[i]);
    }
    if (type == MetricType.HISTOGRAM) {
      varint(bounds.length);
      for (double b : bounds) {
        f64(b);
      }
    }
    endFrame();
    return this;
  }

  /** Bytes written so far. */
  public int size() {
    return size;
  }

  /** A copy of the bytes written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** Writes every byte to a blocking channel, then empties this writer. */
  public void writeTo(WritableByteChannel channel) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(buf, 0, size);
    while (out.hasRemaining()) {
      channel.write(out);
    }
    clear();
  }

  /** Forgets everything written, keeping the buffer for reuse. */
  public void clear() {
    size = 0;
    frameStart = -1;
  }

  private void ensure(int n) {
    if (size + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }
}
