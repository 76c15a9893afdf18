package io.pidless.aggregator.store;

import io.pidless.protocol.GaugeMode;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code livesum}/{@code livemax}/{@code livemin} gauge: one current value per open writer
 * (connection), merged at scrape time, each removed when its writer's connection closes.
 */
final class LiveGaugeSeries extends LockedSeries {
  private final Map<Long, Double> byWriter = new HashMap<>(4);
  /** Kept, unlike other series': every delta refreshes the series in the cache, a lookup by this key. */
  private final int hash;

  LiveGaugeSeries(SeriesKey key, Family family, long createdMillis) {
    super(key, family, createdMillis);
    this.hash = super.hashCode();
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  boolean merge(DeltaBuffer batch, int i, long writer) {
    byWriter.put(writer, batch.value(i));
    return false;
  }

  @Override
  synchronized boolean pinned() {
    return !byWriter.isEmpty();
  }

  @Override
  synchronized void release(long writer) {
    byWriter.remove(writer);
  }

  /** Synchronized, unlike the other types: a closing connection {@linkplain #release releases} its value meanwhile. */
  @Override
  synchronized void copyValues(SeriesCopy out) {
    GaugeMode mode = family.mode();
    if (byWriter.isEmpty()) {
      out.add(this, mode == GaugeMode.LIVESUM, 0);
      return;
    }
    double v = mode == GaugeMode.LIVESUM ? 0 : Double.NaN;
    for (double x : byWriter.values()) {
      v = switch (mode) {
        case LIVEMAX -> Double.isNaN(v) ? x : Math.max(v, x);
        case LIVEMIN -> Double.isNaN(v) ? x : Math.min(v, x);
        default -> v + x;
      };
    }
    out.add(this, true, v);
  }
}
