package io.pidless.aggregator.protocol;

import io.netty.util.collection.IntObjectHashMap;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.Definition;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One connection's series ids. Clients number ids from 1 upward, so the low ids sit in an array indexed
 * by id (one load per delta on the batch path); an id far above the count of ids bound goes to a
 * primitive-keyed map instead, so memory follows the ids actually bound, not the largest one (the
 * array is never longer than {@link #denseLimit} of them). A slot remembers the delta shape even when
 * the store rejected the definition, so later deltas for that id can still be stepped over and dropped. Ids are bounded twice: per connection,
 * and by a budget all connections share, to which {@link #release} gives them back.
 */
final class SeriesTable {
  /** {@code type} is null when the definition named an unknown type; {@code def} null when rejected. */
  record Slot(MetricType type, GaugeMode mode, int bucketCount, Definition def) {}

  /** Why {@link #put} refused an id. */
  enum Refusal { NONE, OUT_OF_RANGE, TAKEN, TABLE_FULL, BUDGET_FULL }

  private static final Slot[] NONE = new Slot[0];

  private static final Definition[] NO_DEFINITIONS = new Definition[0];

  /** Slots of ids below its length; every id below it that is bound is here, not in {@link #sparse}. */
  private Slot[] dense = NONE;
  /** Beside {@link #dense}: the accepted definition of each counter id, so a counter delta reads no slot. */
  private Definition[] counters = NO_DEFINITIONS;
  private final IntObjectHashMap<Slot> sparse = new IntObjectHashMap<>(4);
  private int size;
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
    if (get(id) != null) {
      return Refusal.TAKEN;
    }
    if (size >= maxIds) {
      return Refusal.TABLE_FULL;
    }
    if (!shared.take(1)) {
      return Refusal.BUDGET_FULL;
    }
    size++;
    if (id >= dense.length && id < denseLimit(size)) {
      grow((int) id);
    }
    replace(id, slot);
    return Refusal.NONE;
  }

  /** Rebinds an id already {@linkplain #put put}, once its definition was accepted. */
  void replace(long id, Slot slot) {
    if (id < dense.length) {
      dense[(int) id] = slot;
      counters[(int) id] = slot.type() == MetricType.COUNTER ? slot.def() : null;
    } else {
      sparse.put((int) id, slot);
    }
  }

  /** The slot for an id, or null if the id was never defined on this connection. */
  Slot get(long id) {
    if (id >= 0 && id < dense.length) {
      return dense[(int) id];
    }
    return id > 0 && id <= Protocol.MAX_SERIES_ID && !sparse.isEmpty() ? sparse.get((int) id) : null;
  }

  /**
   * The accepted definition of a counter id in the array, else null (then ask {@link #get}): the batch
   * path's lookup, one load from an array of the connection's counters rather than one from each slot.
   */
  Definition counter(long id) {
    return id >= 0 && id < counters.length ? counters[(int) id] : null;
  }

  /** The array may index ids up to twice the ids bound (plus a few): memory stays a multiple of those. */
  static int denseLimit(int bound) {
    return 2 * bound + 16;
  }

  /** Extends the array past {@code id}, within {@link #denseLimit}, and moves the ids it now covers into it. */
  private void grow(int id) {
    int length = Math.min(denseLimit(size), Math.max(id + 1, dense.length * 2));
    dense = Arrays.copyOf(dense, length);
    counters = Arrays.copyOf(counters, length);
    if (!sparse.isEmpty()) {
      for (int i = 0; i < length; i++) {
        Slot moved = sparse.remove(i);
        if (moved != null) {
          replace(i, moved);
        }
      }
    }
  }

  /** The id bound to {@code def}, or 0. */
  long idOf(Definition def) {
    for (int id = 1; id < dense.length; id++) {
      if (dense[id] != null && dense[id].def() == def) {
        return id;
      }
    }
    for (IntObjectHashMap.PrimitiveEntry<Slot> e : sparse.entries()) {
      if (e.value().def() == def) {
        return e.key();
      }
    }
    return 0;
  }

  /** Gives every id bound here back to the shared budget; the connection closed. */
  void release() {
    shared.give(size);
  }

  Iterable<Definition> definitions() {
    return () -> Stream.concat(Arrays.stream(dense), sparse.values().stream())
        .filter(Objects::nonNull).map(Slot::def).filter(Objects::nonNull).iterator();
  }
}
