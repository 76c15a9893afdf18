package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.HeapMeter;
import io.pidless.aggregator.config.AggregatorConfig.Budgets;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Protocol;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeriesTableTest {
  private static final DefineRequest SPAM = new DefineRequest(MetricType.COUNTER.code(), 0, "spam_total", "",
      new String[0], new String[0], new double[0]);
  private final SeriesStore store = SeriesStore.builder().build();

  private SeriesTable.Slot slot() throws Exception {
    return new SeriesTable.Slot(MetricType.COUNTER, null, 1, store.define(SPAM));
  }

  private SeriesTable.Slot slot(MetricType type, String name) throws Exception {
    GaugeMode mode = type == MetricType.GAUGE ? GaugeMode.SUM : null;
    return new SeriesTable.Slot(type, mode, 1, store.define(new DefineRequest(type.code(),
        mode == null ? 0 : mode.code(), name, "", new String[0], new String[0], new double[0])));
  }

  @Test
  void anIdInTheMapMovesToTheArrayOnceTheIdsBoundReachIt() throws Exception {
    Budget shared = new Budget(1000);
    SeriesTable table = new SeriesTable(1000, shared);
    SeriesTable.Slot hundred = slot(MetricType.COUNTER, "hundred_total");
    assertEquals(SeriesTable.Refusal.NONE, table.put(100, hundred));
    assertSame(hundred, table.get(100));
    assertNull(table.counter(100), "far above the one id bound: in the map, so the batch path asks get");
    for (int id = 1; id < 100; id++) {
      assertEquals(SeriesTable.Refusal.NONE, table.put(id, slot(MetricType.COUNTER, "c" + id + "_total")));
    }
    assertSame(hundred, table.get(100));
    assertSame(hundred.def(), table.counter(100), "moved into the array as it grew past 100");
    assertEquals(SeriesTable.Refusal.TAKEN, table.put(100, slot()));
    assertEquals(100, table.idOf(hundred.def()));
    Set<Definition> defs = new HashSet<>();
    table.definitions().forEach(defs::add);
    assertEquals(100, defs.size());
    table.release();
    assertEquals(0, shared.used());
  }

  @Test
  void onlyAcceptedCountersAnswerTheCounterLookup() throws Exception {
    SeriesTable table = new SeriesTable(10, new Budget(10));
    SeriesTable.Slot gauge = slot(MetricType.GAUGE, "g");
    table.put(1, gauge);
    table.put(2, new SeriesTable.Slot(MetricType.COUNTER, null, 1, null));
    SeriesTable.Slot counter = slot(MetricType.COUNTER, "c_total");
    table.put(3, new SeriesTable.Slot(MetricType.COUNTER, null, 1, null));
    assertNull(table.counter(3), "not accepted yet");
    table.replace(3, counter);
    assertNull(table.counter(1));
    assertNull(table.counter(2), "a rejected counter's deltas are stepped over on the slot path");
    assertSame(counter.def(), table.counter(3));
    assertNull(table.counter(4));
    assertNull(table.counter(-1));
    assertNull(table.get(Protocol.MAX_SERIES_ID + 1));
  }

  /** Ids spread to the top of the range stay in the map: memory follows the ids bound, not the largest. */
  @Test
  void idsSpreadOverTheWholeRangeCostNoMoreThanDenseOnes() throws Exception {
    int n = 20_000;
    int step = (int) (Protocol.MAX_SERIES_ID / n);
    SeriesTable table = new SeriesTable(n, new Budget(n));
    SeriesTable.Slot shared = slot();
    long before = HeapMeter.used();
    for (int i = 1; i <= n; i++) {
      assertEquals(SeriesTable.Refusal.NONE, table.put((long) i * step, shared));
    }
    long bytes = HeapMeter.used() - before;
    assertSame(shared, table.get((long) n * step));
    assertNull(table.get((long) n * step - 1));
    double perId = bytes / (double) n;
    System.out.printf("heap per sparse series id, slot shared: %.1f B (%d ids)%n", perId, n);
    assertTrue(perId <= Budgets.BYTES_PER_ID, perId + " B per id");
  }

  @Test
  void idsAreBoundedPerConnectionAndByTheBudgetAllConnectionsShare() throws Exception {
    Budget shared = new Budget(5);
    SeriesTable first = new SeriesTable(3, shared);
    SeriesTable second = new SeriesTable(3, shared);
    for (int id = 1; id <= 3; id++) {
      assertEquals(SeriesTable.Refusal.NONE, first.put(id, slot()));
    }
    assertEquals(SeriesTable.Refusal.TABLE_FULL, first.put(4, slot()));
    assertEquals(SeriesTable.Refusal.NONE, second.put(1, slot()));
    assertEquals(SeriesTable.Refusal.NONE, second.put(2, slot()));
    assertEquals(SeriesTable.Refusal.BUDGET_FULL, second.put(3, slot()));
    assertEquals(5, shared.used());
    first.release();
    assertEquals(2, shared.used(), "a closed connection gives its ids back");
    assertEquals(SeriesTable.Refusal.NONE, second.put(3, slot()));
  }

  /** The figure behind --max-ids' default: heap per bound id (its slot, definition and map entry), measured. */
  @Test
  void aBoundIdCostsAtMostItsStatedBytes() throws Exception {
    int n = 500_000;
    SeriesTable table = new SeriesTable(n, new Budget(n));
    store.define(SPAM);
    long before = HeapMeter.used();
    for (int id = 1; id <= n; id++) {
      table.put(id, slot());
    }
    long bytes = HeapMeter.used() - before;
    assertEquals(slot().def().key(), table.get(n).def().key());
    double perId = bytes / (double) n;
    System.out.printf("heap per bound series id: %.1f B (%d ids)%n", perId, n);
    assertTrue(perId <= Budgets.BYTES_PER_ID, perId + " B per id");
  }
}
