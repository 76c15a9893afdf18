package io.pidless.aggregator.protocol;

import io.netty.util.collection.IntObjectHashMap;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.Definition;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import java.util.Objects;

/**
 * One connection's series ids, in a primitive-keyed map so memory follows the ids actually bound, not
 * the largest one. A slot remembers the delta shape even when the store rejected the definition, so
 * later deltas for that id can still be stepped over and dropped. Ids are bounded twice: per connection,
 * and by a budget all connections share, to which {@link #release} gives them back.
 */
final class SeriesTable {
  /** {@code type} is null when the definition named an unknown type; {@code def} null when rejected. */
  record Slot(MetricType type, GaugeMode mode, int bucketCount, Definition def) {}

  /** Why {@link #put} refused an id. */
  enum Refusal { NONE, OUT_OF_RANGE, TAKEN, TABLE_FULL, BUDGET_FULL }

  private final IntObjectHashMap<Slot> slots = new IntObjectHashMap<>();
  private final int maxIds;
  private final Budget shared;

  SeriesTable(int maxIds, Budget shared) {
    this.maxIds = maxIds;
    this.shared = shared;
  }

  Refusal put(long id, Slot slot) {
    if (id < 1 || id > Protocol.MAX_SERIES_ID) {
      return Refusal.OUT_OF_RANGE;
    }
    if (slots.containsKey((int) id)) {
      return Refusal.TAKEN;
    }
    if (slots.size() >= maxIds) {
      return Refusal.TABLE_FULL;
    }
    if (!shared.take(1)) {
      return Refusal.BUDGET_FULL;
    }
    slots.put((int) id, slot);
    return Refusal.NONE;
  }

  /** Rebinds an id already {@linkplain #put put}, once its definition was accepted. */
  void replace(long id, Slot slot) {
    slots.put((int) id, slot);
  }

  /** The slot for an id, or null if the id was never defined on this connection. */
  Slot get(long id) {
    return id > 0 && id <= Protocol.MAX_SERIES_ID ? slots.get((int) id) : null;
  }

  /** The id bound to {@code def}, or 0. */
  long idOf(Definition def) {
    for (IntObjectHashMap.PrimitiveEntry<Slot> e : slots.entries()) {
      if (e.value().def() == def) {
        return e.key();
      }
    }
    return 0;
  }

  /** Gives every id bound here back to the shared budget; the connection closed. */
  void release() {
    shared.give(slots.size());
  }

  Iterable<Definition> definitions() {
    return () -> slots.values().stream().map(Slot::def).filter(Objects::nonNull).iterator();
  }
}
