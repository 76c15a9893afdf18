package io.pidless.aggregator.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * Time a scrape spends copying the store and rendering its body (gzip included, waiting for the client
 * not), exposed as {@code pidless_scrape_duration_seconds}: what the aggregator costs per scrape.
 */
final class ScrapeTimer {
  private final LongAdder count = new LongAdder();
  private final LongAdder nanos = new LongAdder();

  void observe(long durationNanos) {
    count.increment();
    nanos.add(durationNanos);
  }

  long count() {
    return count.sum();
  }

  double seconds() {
    return nanos.sum() / 1e9;
  }
}
