package io.pidless.testsupport;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Waits, bounded, for something another thread or process does in its own time: a close noticed, a
 * series expired, a batch applied. The one poll loop of the tests, so each says what it waits for and
 * none sleeps a fixed time hoping it was enough. A wait that runs out fails with what it waited for and
 * the last value seen.
 *
 * <pre>{@code
 * double open = Await.awaitValue("one connection open", () -> agg.scrape().value("pidless_connections_open"),
 *     v -> v == 1.0);
 * Await.awaitTrue("the peer closed", Duration.ofSeconds(5), client::closedByPeer);
 * }</pre>
 */
public final class Await {
  /** Ample for anything a test waits for on a loaded 2-core machine; a longer wait is a hang. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final long FIRST_PAUSE_MILLIS = 5;
  /**
   * Short enough that a wait ends within 20 ms of its condition: bench/ingest times an aggregator's
   * start to serving through {@link AggregatorProcess#start}, which waits with this.
   */
  private static final long LONGEST_PAUSE_MILLIS = 20;

  private Await() {}

  /** Reads a value; may fail as the thing it reads fails (a scrape, a query), or be interrupted. */
  @FunctionalInterface
  public interface Probe<T, E extends Exception> {
    T get() throws E, InterruptedException;
  }

  /** {@link #awaitValue(String, Duration, Probe, Predicate)} for at most {@link #DEFAULT_TIMEOUT}. */
  public static <T, E extends Exception> T awaitValue(String what, Probe<T, E> probe, Predicate<? super T> until)
      throws E, InterruptedException {
    return awaitValue(what, DEFAULT_TIMEOUT, probe, until);
  }

  /**
   * Reads {@code probe} until its value satisfies {@code until}, pausing 5 ms at first and up to 20 ms
   * between reads, and returns that value; fails with {@code what} and the last value once
   * {@code timeout} has passed. A probe that throws ends the wait with its exception.
   */
  public static <T, E extends Exception> T awaitValue(String what, Duration timeout, Probe<T, E> probe,
      Predicate<? super T> until) throws E, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_MILLIS;
    while (true) {
      T value = probe.get();
      if (until.test(value)) {
        return value;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + "; last value: " + value);
      }
      Thread.sleep(pause);
      pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
    }
  }

  /** {@link #awaitTrue(String, Duration, Probe)} for at most {@link #DEFAULT_TIMEOUT}. */
  public static <E extends Exception> void awaitTrue(String what, Probe<Boolean, E> condition)
      throws E, InterruptedException {
    awaitTrue(what, DEFAULT_TIMEOUT, condition);
  }

  /** Waits until {@code condition} holds; fails with {@code what} once {@code timeout} has passed. */
  public static <E extends Exception> void awaitTrue(String what, Duration timeout, Probe<Boolean, E> condition)
      throws E, InterruptedException {
    awaitValue(what, timeout, condition, Boolean::booleanValue);
  }
}
