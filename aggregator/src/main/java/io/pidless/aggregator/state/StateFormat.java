package io.pidless.aggregator.state;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Layout of the state file, version 3; all numbers big-endian, {@code str} an unsigned short byte
 * length followed by that many bytes of UTF-8:
 *
 * <pre>
 * magic "PIDLSTAT", int version, long savedAtMillis (wall clock)
 * int familyCount, then per family (the family table):
 *   byte type, byte gaugeMode (0 unless a gauge), str familyName (a counter's without _total), str help,
 *   short labelCount, str per label name (in ascending order), short boundCount, double per bound
 * int seriesCount, then per series:
 *   int familyIndex (0-based, into the family table), str per label value (in the family's label name
 *   order), long createdMillis, long idleLeftNanos, boolean present, then by the family's type:
 *     counter, gauge: double value;  summary: long count, double sum;
 *     histogram: long per bucket (not cumulative, +Inf last), double sum
 * int sessionCount, then per session: long idHigh, long idLow, long settledSeq, long idleLeftNanos
 * int pushCount, then per undelivered remote_write push: str url, int samples, int bodyLength,
 *   bodyLength bytes (the snappy-compressed request body)
 * int CRC-32 of every byte before it
 * </pre>
 *
 * <p>A family's name, help and label names are written once, not once per series: at 100,000 series
 * of a few families that is a third of version 2's size, and a restore checks each family once.
 *
 * <p>Versions 2 and 1 are still read, so an upgrade keeps the state. Version 2 has no family table:
 * each series begins with its own {@code byte type, byte gaugeMode, UTF familyName, UTF help, short
 * labelCount, (UTF name, UTF value) per label, short boundCount, double per bound} and goes on as in
 * version 3 from {@code createdMillis}; its strings ({@code UTF}, the push URL too) are
 * {@link java.io.DataOutput#writeUTF}'s. Version 1 is version 2 without the push count and pushes.
 */
final class StateFormat {
  static final byte[] MAGIC = {'P', 'I', 'D', 'L', 'S', 'T', 'A', 'T'};
  static final int VERSION = 3;
  /** The last version without a family table; still read. */
  static final int VERSION_WITHOUT_FAMILIES = 2;
  /** The last version without remote_write pushes; still read. */
  static final int VERSION_WITHOUT_PUSHES = 1;
  /** The longest {@code str}, in bytes. */
  static final int MAX_STRING_BYTES = 0xffff;

  private StateFormat() {}

  static void writeString(DataOutput out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeString(out, utf8, utf8.length);
  }

  static void writeString(DataOutput out, byte[] utf8, int length) throws IOException {
    if (length > MAX_STRING_BYTES) {
      throw new IOException("a string of " + length + " bytes, longer than the " + MAX_STRING_BYTES
          + " a state file holds");
    }
    out.writeShort(length);
    out.write(utf8, 0, length);
  }

  /** Reads a {@code str}; {@code scratch} must hold {@link #MAX_STRING_BYTES}. */
  static String readString(DataInput in, byte[] scratch) throws IOException {
    int length = in.readUnsignedShort();
    in.readFully(scratch, 0, length);
    return new String(scratch, 0, length, StandardCharsets.UTF_8);
  }
}
