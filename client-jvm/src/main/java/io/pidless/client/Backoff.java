package io.pidless.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect delay with jitter, so the processes of a node do not all hammer a restarting
 * aggregator in step. Time is passed in (nanoTime), so it is testable without sleeping.
 */
final class Backoff {
  private final long minNanos;
  private final long maxNanos;
  private long delayNanos;
  private long nextAttemptNanos;

  Backoff(long minNanos, long maxNanos) {
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
  }

  synchronized boolean due(long nowNanos) {
    return delayNanos == 0 || nowNanos - nextAttemptNanos >= 0;
  }

  synchronized long nextAttemptNanos() {
    return nextAttemptNanos;
  }

  synchronized void failed(long nowNanos) {
    delayNanos = delayNanos == 0 ? minNanos : Math.min(maxNanos, delayNanos * 2);
    long jitter = ThreadLocalRandom.current().nextLong(delayNanos / 4 + 1);
    nextAttemptNanos = nowNanos + delayNanos - jitter;
  }

  synchronized void succeeded() {
    delayNanos = 0;
  }
}
