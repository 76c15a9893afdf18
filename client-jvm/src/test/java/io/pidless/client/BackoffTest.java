package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delayDoublesUpToTheMaximumAndResetsOnSuccess() {
    Backoff b = new Backoff(100, 1000);
    assertTrue(b.due(0));
    long now = 0;
    long[] delays = {100, 200, 400, 800, 1000, 1000};
    for (long d : delays) {
      b.failed(now);
      assertFalse(b.due(now + d * 3 / 4 - 1), "jitter takes off at most a quarter of " + d);
      assertTrue(b.due(now + d));
      now += d;
    }
    b.succeeded();
    assertTrue(b.due(now));
  }
}
