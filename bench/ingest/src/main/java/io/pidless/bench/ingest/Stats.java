package io.pidless.bench.ingest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Median and max of repeated measurements.
 *
 * <pre>{@code
 * Stats.median(List.of(3.0, 1.0, 2.0));   // 2.0
 * }</pre>
 */
final class Stats {
  private Stats() {}

  /** The middle value; for an even count, the mean of the two middle ones. */
  static double median(List<? extends Number> values) {
    List<Double> sorted = new ArrayList<>();
    for (Number n : values) {
      sorted.add(n.doubleValue());
    }
    Collections.sort(sorted);
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  static double max(List<? extends Number> values) {
    return values.stream().mapToDouble(Number::doubleValue).max().orElseThrow();
  }
}
