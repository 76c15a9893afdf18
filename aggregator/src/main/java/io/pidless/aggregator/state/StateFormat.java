package io.pidless.aggregator.state;

/**
 * Layout of the state file, version 1; all numbers big-endian, strings as {@link java.io.DataOutput#writeUTF}:
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
 * int CRC-32 of every byte before it
 * </pre>
 */
final class StateFormat {
  static final byte[] MAGIC = {'P', 'I', 'D', 'L', 'S', 'T', 'A', 'T'};
  static final int VERSION = 1;

  private StateFormat() {}
}
