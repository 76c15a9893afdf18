package io.pidless.aggregator.stats;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory budget: how much of one thing (series ids, bytes of series text) the aggregator holds for
 * all clients together, and the most it may. Taking is all-or-nothing and lock-free, so two clients
 * racing for the last units can never together pass the limit; self-metrics expose the use and the
 * limit, so an operator sees a budget filling before clients are refused.
 *
 * <pre>{@code
 * Budget ids = new Budget(500_000);
 * if (!ids.take(1)) { refuse(); }   // ... and ids.give(1) when the id is unbound
 * }</pre>
 */
public final class Budget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public Budget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code n} units if they fit under the limit; false, and nothing taken, if not. */
  public boolean take(long n) {
    long now;
    do {
      now = used.get();
      if (now + n > limit) {
        return false;
      }
    } while (!used.compareAndSet(now, now + n));
    return true;
  }

  /**
   * Takes {@code n} units even past the limit: for what must not be refused, such as a series that
   * expired while a writer was adding to it and comes back at once.
   */
  public void force(long n) {
    used.addAndGet(n);
  }

  /** Gives back {@code n} units taken earlier. */
  public void give(long n) {
    used.addAndGet(-n);
  }

  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }
}
