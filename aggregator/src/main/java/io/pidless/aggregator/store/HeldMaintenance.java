package io.pidless.aggregator.store;

import java.util.concurrent.Executor;

/**
 * Runs Caffeine's maintenance (write buffer drain, timer wheel, expiry) on the thread that asked for
 * it, as {@code Runnable::run} would; while {@link #hold held}, keeps the last task back instead. A
 * restore inserts 100,000 series on one thread before anything is served: run inline, maintenance
 * would run after every insert (a quarter of the restore's time); held, Caffeine buffers the inserts
 * and drains them itself each time its write buffer fills, and the held task runs on
 * {@link Hold#close}. Nothing is lost while held: a series that expires meanwhile goes at the next
 * drain, as it would without traffic.
 *
 * <pre>{@code
 * try (HeldMaintenance.Hold hold = maintenance.hold()) {
 *   // many inserts on this thread
 * }   // the last maintenance Caffeine asked for runs here
 * }</pre>
 */
public final class HeldMaintenance implements Executor {
  private volatile boolean holding;
  private Runnable held;

  @Override
  public void execute(Runnable task) {
    if (holding) {
      synchronized (this) {
        if (holding) {
          held = task;
          return;
        }
      }
    }
    task.run();
  }

  /** Holds maintenance back until the returned hold is closed. */
  Hold hold() {
    synchronized (this) {
      holding = true;
    }
    return this::release;
  }

  private void release() {
    Runnable task;
    synchronized (this) {
      holding = false;
      task = held;
      held = null;
    }
    if (task != null) {
      task.run();
    }
  }

  /** Ends a {@link #hold}; closing twice is harmless. */
  @FunctionalInterface
  public interface Hold extends AutoCloseable {
    @Override
    void close();
  }
}
