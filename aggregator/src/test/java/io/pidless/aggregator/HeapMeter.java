package io.pidless.aggregator;

import java.lang.management.ManagementFactory;

/**
 * Heap in use after a full collection, for tests that measure what a structure costs per entry: the
 * difference of two readings around building it, divided by its entries. Collects until two readings
 * agree, so garbage from earlier tests does not count.
 *
 * <pre>{@code
 * long before = HeapMeter.used();
 * // ... build n entries, keep them reachable ...
 * double perEntry = (HeapMeter.used() - before) / (double) n;
 * }</pre>
 */
public final class HeapMeter {
  private HeapMeter() {}

  public static long used() {
    long last = -1;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (Math.abs(now - last) < 64 * 1024) {
        return now;
      }
      last = now;
    }
    return last;
  }
}
