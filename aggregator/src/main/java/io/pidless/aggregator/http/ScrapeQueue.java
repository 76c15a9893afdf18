package io.pidless.aggregator.http;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Runs scrapes on {@code --max-concurrent-scrapes} threads and queues the rest. A scrape of 100,000
 * series held tens of MB from rendering until its client had taken the last byte, and twenty at once
 * ran a 256 MB heap out; streamed, it still holds its copy of the values (16 bytes a series) and CPU.
 * A thread holds its slot until every response it rendered for is written (or cut by
 * {@link HttpDeadline}), so at most that many bodies are in the making. Scrapes waiting with the same
 * {@link Scrape#key()} (Prometheus servers of an HA pair, or a burst from one) are answered with one
 * body, rendered after all of them arrived. One that waited {@code --http-timeout} for a slot, or
 * finds {@value #QUEUE_CAPACITY} waiting already, is refused (503) and counted: by then Prometheus' own
 * scrape timeout has passed.
 *
 * <pre>{@code
 * ScrapeQueue<Body> queue = new ScrapeQueue<>(2, Duration.ofSeconds(10), stats);
 * queue.submit(scrape);   // on a queue thread: scrape.render(), then scrape.send(body); or scrape.refuse(reason)
 * }</pre>
 *
 * @param <B> what one rendering produces and every scrape of its key sends
 */
final class ScrapeQueue<B> implements Closeable {
  static final int QUEUE_CAPACITY = 256;

  /** One scrape; all methods but {@link #key} run on a queue thread, or on the submitter's for a refusal. */
  interface Scrape<B> {
    /** Scrapes with equal keys may share one body. */
    Object key();

    B render() throws Exception;

    /**
     * Answers this scrape with {@code body}; the returned handle's {@code run} waits until it is
     * written or failed. The queue calls every scrape's {@code send} of a body before any handle's
     * {@code run}, so the first run may write the body to all of them at once.
     */
    Runnable send(B body);

    /** Answers that rendering failed. */
    void fail(Exception e);

    void refuse(HttpStats.Reason reason);
  }

  private record Waiting<B>(Scrape<B> scrape, long queuedNanos) {}

  private final ArrayDeque<Waiting<B>> waiting = new ArrayDeque<>();
  private final List<Thread> threads = new ArrayList<>();
  private final long waitNanos;
  private final HttpStats stats;
  private boolean closed;

  ScrapeQueue(int concurrency, Duration wait, HttpStats stats) {
    this.waitNanos = wait.toNanos();
    this.stats = stats;
    ThreadFactory factory = new DefaultThreadFactory("pidless-scrape", true);
    for (int i = 0; i < concurrency; i++) {
      Thread t = factory.newThread(this::work);
      threads.add(t);
      t.start();
    }
  }

  void submit(Scrape<B> scrape) {
    synchronized (waiting) {
      if (!closed && waiting.size() < QUEUE_CAPACITY) {
        waiting.add(new Waiting<>(scrape, System.nanoTime()));
        waiting.notify();
        return;
      }
    }
    refuse(scrape, HttpStats.Reason.SCRAPE_QUEUE_FULL);
  }

  private void work() {
    try {
      while (true) {
        List<Scrape<B>> batch = takeBatch();
        if (batch == null) {
          return;
        }
        serve(batch);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The oldest waiting scrape and every other of its key still in time; null once closed. */
  private List<Scrape<B>> takeBatch() throws InterruptedException {
    List<Scrape<B>> batch = new ArrayList<>();
    List<Scrape<B>> late = new ArrayList<>();
    synchronized (waiting) {
      while (waiting.isEmpty() && !closed) {
        waiting.wait();
      }
      if (closed) {
        return null;
      }
      long now = System.nanoTime();
      Object key = null;
      for (Iterator<Waiting<B>> it = waiting.iterator(); it.hasNext(); ) {
        Waiting<B> w = it.next();
        if (now - w.queuedNanos() > waitNanos) {
          late.add(w.scrape());
          it.remove();
        } else if (key == null || key.equals(w.scrape().key())) {
          key = w.scrape().key();
          batch.add(w.scrape());
          it.remove();
        }
      }
    }
    for (Scrape<B> s : late) {
      refuse(s, HttpStats.Reason.SCRAPE_QUEUE_TIMEOUT);
    }
    return batch;
  }

  private void serve(List<Scrape<B>> batch) {
    if (batch.isEmpty()) {
      return;
    }
    B body;
    try {
      body = batch.get(0).render();
    } catch (Exception e) {
      batch.forEach(s -> s.fail(e));
      return;
    }
    List<Runnable> sends = new ArrayList<>();
    for (Scrape<B> s : batch) {
      sends.add(s.send(body));
    }
    sends.forEach(Runnable::run);
  }

  private void refuse(Scrape<B> scrape, HttpStats.Reason reason) {
    stats.count(reason);
    scrape.refuse(reason);
  }

  @Override
  public void close() {
    synchronized (waiting) {
      closed = true;
      waiting.clear();
      waiting.notifyAll();
    }
  }
}
