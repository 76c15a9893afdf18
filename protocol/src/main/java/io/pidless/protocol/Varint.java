package io.pidless.protocol;

/**
 * The one varint codec of protocol v1, for both ends: unsigned LEB128 holding a {@code u64}, at most
 * {@link #MAX_BYTES} bytes, the last of which may carry only the 64th bit (docs/PROTOCOL.md,
 * "Varints"). The aggregator reads Netty buffers and the JVM client NIO buffers; both hand their
 * reader to {@link #read} as a {@link ByteSource}, so the overflow rule exists once.
 *
 * <pre>{@code
 * long seq = Varint.read(byteBuffer::get);        // NIO
 * long id = Varint.read(byteBuf::readByte);       // Netty
 * Varint.write(300, out::writeByte);              // ac 02
 * }</pre>
 */
public final class Varint {
  /** Bytes of the longest varint: 64 bits at 7 a byte. */
  public static final int MAX_BYTES = 10;

  private Varint() {}

  /** The next byte of a buffer; a source running out throws its own exception (a truncated field). */
  @FunctionalInterface
  public interface ByteSource {
    byte next();
  }

  /** Takes the bytes of a varint, least significant group first. */
  @FunctionalInterface
  public interface ByteSink {
    void put(int b);
  }

  /** Thrown for a varint past 64 bits: more than {@link #MAX_BYTES} bytes, or a 10th byte above 1. */
  public static final class OverflowException extends IllegalArgumentException {
    OverflowException() {
      super("varint is longer than 64 bits (more than " + MAX_BYTES + " bytes, or a last byte above 01)");
    }
  }

  /** Reads one varint as an unsigned 64-bit value (a value of 2^63 or more is negative). */
  public static long read(ByteSource in) {
    long value = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      byte x = in.next();
      value |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return value;
      }
    }
    byte last = in.next();
    if ((last & 0xFE) != 0) {
      throw new OverflowException();
    }
    return value | (long) last << 63;
  }

  /** Writes {@code v}, read as unsigned, in the fewest bytes. */
  public static void write(long v, ByteSink out) {
    while ((v & ~0x7FL) != 0) {
      out.put((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((int) v);
  }
}
