package io.pidless.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void returnsTheFirstValueThatSatisfiesTheCondition() throws Exception {
    AtomicInteger reads = new AtomicInteger();
    int value = Await.awaitValue("the third read", reads::incrementAndGet, v -> v >= 3);
    assertEquals(3, value);
    assertEquals(3, reads.get(), "no read after the one that satisfied it");
  }

  @Test
  void runningOutFailsWithWhatItWaitedForAndTheLastValue() {
    AtomicInteger reads = new AtomicInteger();
    AssertionError e = assertThrows(AssertionError.class,
        () -> Await.awaitValue("a negative count", Duration.ofMillis(50), reads::incrementAndGet, v -> v < 0));
    assertTrue(e.getMessage().startsWith("waited 50 ms for a negative count; last value: "), e.getMessage());
    assertTrue(e.getMessage().endsWith(": " + reads.get()), e.getMessage());
    assertTrue(reads.get() >= 2, "read again before giving up: " + reads.get());
  }

  @Test
  void aProbeThatFailsEndsTheWaitWithItsException() {
    IOException refused = new IOException("connection refused");
    IOException e = assertThrows(IOException.class, () -> Await.awaitValue("a scrape", () -> {
      throw refused;
    }, v -> true));
    assertSame(refused, e);
  }

  @Test
  void awaitTrueReturnsOnceAnotherThreadSetTheCondition() throws Exception {
    AtomicBoolean done = new AtomicBoolean();
    Thread setter = new Thread(() -> done.set(true));
    setter.start();
    Await.awaitTrue("the other thread set it", done::get);
    assertTrue(done.get());
    setter.join();
  }
}
