package io.pidless.client;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Gets deltas to the aggregator exactly once (docs/PROTOCOL.md, "A session, step by step") by
 * running the daemon flusher thread: each cycle it drains every series into batches and hands them
 * to the {@link AggregatorLink}. Each helper keeps one part of the state: {@link FlushSchedule} when
 * a cycle runs and what {@link #flush} waits for, {@link AggregatorLink} the connection and its
 * {@link UnackedBatches}, {@link SeriesIds} the ids of the series.
 *
 * <p>While it cannot connect it cuts no batches: deltas stay merged in the series, so memory stays
 * bounded by the number of series. Nothing here throws into user code.
 *
 * <p>Concurrency: the flusher thread alone assigns ids, drains series and writes ({@code nextSeq} is
 * its own); user threads only ask for flushes and wait.
 */
final class Delivery {
  static final System.Logger LOG = System.getLogger("io.pidless.client");

  private final Supplier<List<Series>> series;
  private final FlushSchedule schedule;
  private final SeriesIds ids = new SeriesIds();
  private final AggregatorLink link;
  // flusher thread only
  private long nextSeq = 1;

  Delivery(Path socket, AggregatorUid aggregatorUid, Duration interval, String clientName,
      Supplier<List<Series>> series) {
    this.series = series;
    this.schedule = new FlushSchedule(interval.toNanos());
    this.link = new AggregatorLink(socket, aggregatorUid, clientName, ids, schedule::wake);
    Thread flusher = new Thread(this::runFlusher, "pidless-flusher");
    flusher.setDaemon(true);
    flusher.start();
  }

  Path socket() {
    return link.socket();
  }

  /**
   * Asks the flusher to send everything recorded so far and waits until the aggregator ACKed it; an
   * aggregator that answers "retry later" (SESSION_LIMIT...) is retried after the backoff until the
   * timeout. False on timeout, interrupt, or when the aggregator cannot be reached right now; the
   * deltas are kept and sent later either way.
   */
  boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long lastSeq = schedule.request(deadline);
      if (lastSeq >= 0) {
        return link.awaitAcked(lastSeq, deadline);
      }
      if (!link.awaitRetry(deadline)) {
        return false;
      }
    }
  }

  /** Flushes, then stops the flusher and closes the connection. */
  boolean close(Duration timeout) {
    boolean ok = flush(timeout);
    schedule.close();
    link.close();
    return ok;
  }

  private void runFlusher() {
    FlushSchedule.Turn turn;
    while ((turn = schedule.awaitTurn(link::wakeAt)) != null) {
      boolean ok = false;
      try {
        ok = cycle(turn.asked());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "pidless: unexpected error while sending metrics; retrying next flush", e);
      }
      schedule.finished(turn, ok, nextSeq - 1);
    }
  }

  /** One flush: connects if needed, then cuts and sends batches. False when not connected. */
  private boolean cycle(boolean asked) {
    Connection c = link.connection();
    if (c == null) {
      if (!asked && !link.retryDue()) {
        return false;
      }
      c = link.connect();
      if (c == null) {
        return false;
      }
      for (Series s : ids.all()) {
        s.afterReconnect();
      }
    }
    if (link.saturated()) {
      return true;
    }
    BatchEncoder batch = new BatchEncoder(nextSeq, new FrameLimit(c, link.socket()));
    for (Series s : series.get()) {
      if (s.id == 0) {
        if (!ids.assign(s)) {
          continue;
        }
        batch.define(s);
      }
      s.drain(batch);
    }
    List<BatchEncoder.Batch> batches = batch.finish();
    nextSeq = batch.nextSeq();
    link.send(c, batch.defines(), batches);
    return true;
  }
}
