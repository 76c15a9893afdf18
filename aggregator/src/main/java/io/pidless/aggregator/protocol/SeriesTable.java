package io.pidless.aggregator.protocol;

import io.pidless.aggregator.store.Definition;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One connection's series ids. A slot remembers the delta shape even when the store rejected the
 * definition, so later deltas for that id can still be stepped over and dropped.
 */
final class SeriesTable {
  /** {@code type} is null when the definition named an unknown type; {@code def} null when rejected. */
  record Slot(MetricType type, GaugeMode mode, int bucketCount, Definition def) {}

  private final int maxId;
  private Slot[] slots = new Slot[16];

  SeriesTable(int maxId) {
    this.maxId = maxId;
  }

  /** False when the id is out of range or taken. */
  boolean put(long id, Slot slot) {
    if (id < 1 || id > maxId) {
      return false;
    }
    int i = (int) id;
    if (i >= slots.length) {
      slots = Arrays.copyOf(slots, Math.max(slots.length * 2, i + 1));
    }
    if (slots[i] != null) {
      return false;
    }
    slots[i] = slot;
    return true;
  }

  /** The slot for an id, or null if the id was never defined on this connection. */
  Slot get(long id) {
    return id > 0 && id < slots.length ? slots[(int) id] : null;
  }

  /** The id bound to {@code def}, or 0. */
  long idOf(Definition def) {
    for (int i = 1; i < slots.length; i++) {
      if (slots[i] != null && slots[i].def() == def) {
        return i;
      }
    }
    return 0;
  }

  Iterable<Definition> definitions() {
    return () -> Stream.of(slots).filter(Objects::nonNull).map(Slot::def).filter(Objects::nonNull).iterator();
  }
}
