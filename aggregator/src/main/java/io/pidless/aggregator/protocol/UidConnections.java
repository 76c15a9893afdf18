package io.pidless.aggregator.protocol;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per peer uid (SO_PEERCRED), so that one local user cannot take every
 * {@code --max-connections} slot: 4,094 idle connections of one user refused every other worker
 * until that user left. Thread-safe; an entry is removed when its uid's last connection closes.
 *
 * <pre>{@code
 * UidConnections perUid = new UidConnections(1024);
 * if (!perUid.open(uid)) { ... refuse ... }   // and perUid.close(uid) when a counted one closes
 * }</pre>
 */
final class UidConnections {
  private final int limit;
  private final ConcurrentHashMap<Integer, Integer> open = new ConcurrentHashMap<>();

  UidConnections(int limit) {
    this.limit = limit;
  }

  int limit() {
    return limit;
  }

  /** Counts one more connection of {@code uid}; false, counting nothing, when it holds the limit already. */
  boolean open(int uid) {
    boolean[] admitted = {false};
    open.compute(uid, (k, n) -> {
      int held = n == null ? 0 : n;
      admitted[0] = held < limit;
      return admitted[0] ? held + 1 : held;
    });
    return admitted[0];
  }

  /** One connection of {@code uid} that {@link #open} admitted has closed. */
  void close(int uid) {
    open.computeIfPresent(uid, (k, n) -> n <= 1 ? null : n - 1);
  }
}
