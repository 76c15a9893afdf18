package io.pidless.aggregator.http;

import java.util.concurrent.atomic.LongAdder;

/** Time spent collecting the store per scrape, exposed as {@code pidless_scrape_duration_seconds}. */
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
