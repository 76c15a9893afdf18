package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.HeapMeter;
import io.pidless.aggregator.config.AggregatorConfig.Budgets;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.MetricType;
import org.junit.jupiter.api.Test;

class SeriesTableTest {
  private static final DefineRequest SPAM = new DefineRequest(MetricType.COUNTER.code(), 0, "spam_total", "",
      new String[0], new String[0], new double[0]);
  private final SeriesStore store = SeriesStore.builder().build();

  private SeriesTable.Slot slot() throws Exception {
    return new SeriesTable.Slot(MetricType.COUNTER, null, 1, store.define(SPAM));
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
