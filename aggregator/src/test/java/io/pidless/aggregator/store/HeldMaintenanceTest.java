package io.pidless.aggregator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Maintenance runs inline, except while held: then only the last task, once, when the hold ends. */
class HeldMaintenanceTest {
  private final HeldMaintenance maintenance = new HeldMaintenance();
  private final List<String> ran = new ArrayList<>();

  @Test
  void runsInlineWhenNotHeld() {
    maintenance.execute(() -> ran.add("a"));
    assertEquals(List.of("a"), ran);
  }

  @Test
  void whileHeldKeepsTheLastTaskAndRunsItOnceWhenTheHoldCloses() {
    try (HeldMaintenance.Hold hold = maintenance.hold()) {
      maintenance.execute(() -> ran.add("first"));
      maintenance.execute(() -> ran.add("last"));
      assertEquals(List.of(), ran, "nothing runs while held");
    }
    assertEquals(List.of("last"), ran);
    maintenance.execute(() -> ran.add("after"));
    assertEquals(List.of("last", "after"), ran, "inline again once the hold is closed");
  }

  @Test
  void aStoreRestoredUnderAHoldStillExpiresItsSeriesOnTime() throws Exception {
    long[] now = {0};
    SeriesStore store = SeriesStore.builder().ticker(() -> now[0]).build();
    Family family = store.restoreFamily(new DefineRequest(1, 0, "jobs_total", "Jobs", new String[] {"k"},
        new String[] {"v"}, new double[0]));
    try (HeldMaintenance.Hold hold = store.holdMaintenance()) {
      for (int i = 0; i < 1000; i++) {
        Duration idleLeft = i % 2 == 0 ? Duration.ofSeconds(10) : Duration.ofMinutes(10);
        store.restore(family, new String[] {Integer.toString(i)}, 0, idleLeft.toNanos());
      }
    }
    assertEquals(1000, store.seriesCount());
    now[0] = Duration.ofMinutes(2).toNanos();
    store.cleanUp();
    assertEquals(500, store.seriesCount(), "the 500 with 10 s left are gone, the 500 with 10 minutes left are not");
  }
}
