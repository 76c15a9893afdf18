package io.pidless.aggregator.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Edits a state file {@link StateWriter} wrote and makes its checksum valid again: content that is
 * wrong although no byte was damaged in transit, which only decoding can catch.
 *
 * <pre>{@code
 * byte[] bad = StateFileSurgery.putShort(saved, StateFileSurgery.firstLabelCount("rows", "Rows."), -1);
 * }</pre>
 */
public final class StateFileSurgery {
  /** Where the family count is: after the magic, the version and the save time. */
  public static final int FAMILY_COUNT = StateFormat.MAGIC.length + 4 + 8;

  private StateFileSurgery() {}

  /** Where the first family's label count is, given its name and help. */
  public static int firstLabelCount(String family, String help) {
    return FAMILY_COUNT + 4 + 1 + 1 + stringLength(family) + stringLength(help);
  }

  /** Where the series count is when the family table holds one family, without labels or bounds. */
  public static int seriesCount(String family, String help) {
    return firstLabelCount(family, help) + 2 + 2;
  }

  /** Where the session count is in a file holding {@code sessions} sessions and no pushes. */
  public static int sessionCount(byte[] file, int sessions) {
    return pushCount(file) - sessions * 32 - 4;
  }

  /** Where the push count is in a file holding no pushes. */
  public static int pushCount(byte[] file) {
    return file.length - 4 - 4;
  }

  public static byte[] putInt(byte[] file, int offset, int value) {
    byte[] out = file.clone();
    ByteBuffer.wrap(out).putInt(offset, value);
    return sealed(out);
  }

  public static byte[] putShort(byte[] file, int offset, int value) {
    byte[] out = file.clone();
    ByteBuffer.wrap(out).putShort(offset, (short) value);
    return sealed(out);
  }

  /** The file with {@code extra} appended before its checksum. */
  public static byte[] append(byte[] file, byte[] extra) {
    byte[] out = Arrays.copyOf(file, file.length + extra.length);
    System.arraycopy(extra, 0, out, file.length - 4, extra.length);
    return sealed(out);
  }

  /** The file's first {@code length} bytes, then a checksum. */
  public static byte[] cut(byte[] file, int length) {
    return sealed(Arrays.copyOf(file, length + 4));
  }

  /** Recomputes the trailing CRC-32 over every byte before it. */
  public static byte[] sealed(byte[] file) {
    CRC32 crc = new CRC32();
    crc.update(file, 0, file.length - 4);
    ByteBuffer.wrap(file).putInt(file.length - 4, (int) crc.getValue());
    return file;
  }

  private static int stringLength(String s) {
    return 2 + s.getBytes(StandardCharsets.UTF_8).length;
  }
}
