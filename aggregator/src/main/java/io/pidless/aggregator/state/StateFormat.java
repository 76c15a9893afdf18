package io.pidless.aggregator.state;

/**
 * Layout of the state file, version 2 (version 1 lacks the pushes and is still read); all numbers big-endian, strings as {@link java.io.DataOutput#writeUTF}:
 *
 * <pre>
 * magic "PIDLSTAT", int version, long savedAtMillis (wall clock)
 * int seriesCount, then per series:
 *   byte type, byte gaugeMode (0 unless a gauge), UTF familyName, UTF help,
 *   short labelCount, (UTF name, UTF value) per label, short boundCount, double per bound,
 *   long createdMillis, long idleLeftNanos, boolean present, then by type:
 *     counter, gauge: double value;  summary: long count, double sum;
 *     histogram: long per bucket (not cumulative, +Inf last), double sum
 * int sessionCount, then per session: long idHigh, long idLow, long settledSeq, long idleLeftNanos
 * int pushCount, then per undelivered remote_write push: UTF url, int samples, int bodyLength,
 *   bodyLength bytes (the snappy-compressed request body)
 * int CRC-32 of every byte before it
 * </pre>
 */
final class StateFormat {
  static final byte[] MAGIC = {'P', 'I', 'D', 'L', 'S', 'T', 'A', 'T'};
  static final int VERSION = 2;
  /** The last version without remote_write pushes; still read. */
  static final int VERSION_WITHOUT_PUSHES = 1;

  private StateFormat() {}
}
