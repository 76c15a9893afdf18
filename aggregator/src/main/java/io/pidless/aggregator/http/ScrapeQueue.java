package io.pidless.aggregator.http;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs scrapes {@code --max-concurrent-scrapes} at a time and queues the rest. A scrape of 100,000
 * series holds tens of MB from rendering until its client has taken the last byte; twenty at once
 * ran a 256 MB heap out. A scrape holds its thread, and so its slot, until its response is written
 * (or cut by {@link HttpDeadline}), so at most that many bodies are in memory. One that waited
 * {@code --http-timeout} for a slot, or finds {@value #QUEUE_CAPACITY} waiting already, is refused
 * with 503 and counted: by then Prometheus' own scrape timeout has passed.
 *
 * <pre>{@code
 * ScrapeQueue queue = new ScrapeQueue(2, Duration.ofSeconds(10), stats);
 * queue.submit(scrape);   // scrape.run() on a queue thread, or scrape.refuse(reason)
 * }</pre>
 */
final class ScrapeQueue implements Closeable {
  static final int QUEUE_CAPACITY = 256;

  /** One scrape: either run, or refused for a reason (on whichever thread decided it). */
  interface Scrape {
    void run();

    void refuse(HttpStats.Reason reason);
  }

  private final ThreadPoolExecutor pool;
  private final long waitNanos;
  private final HttpStats stats;

  ScrapeQueue(int concurrency, Duration wait, HttpStats stats) {
    this.pool = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUE_CAPACITY), new DefaultThreadFactory("pidless-scrape", true));
    this.waitNanos = wait.toNanos();
    this.stats = stats;
  }

  void submit(Scrape scrape) {
    long queued = System.nanoTime();
    try {
      pool.execute(() -> {
        if (System.nanoTime() - queued > waitNanos) {
          refuse(scrape, HttpStats.Reason.SCRAPE_QUEUE_TIMEOUT);
        } else {
          scrape.run();
        }
      });
    } catch (RejectedExecutionException e) {
      refuse(scrape, HttpStats.Reason.SCRAPE_QUEUE_FULL);
    }
  }

  private void refuse(Scrape scrape, HttpStats.Reason reason) {
    stats.count(reason);
    scrape.refuse(reason);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
