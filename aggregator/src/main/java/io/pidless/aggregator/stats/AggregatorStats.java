package io.pidless.aggregator.stats;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.MetricType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The aggregator's own counters, kept with JDK adders and atomics so the ingest path depends on no
 * metrics library; {@code http.SelfMetricsCollector} turns them into {@code pidless_*} metrics at scrape time.
 * Every field may be updated from any thread.
 */
public final class AggregatorStats {
  /**
   * Client connections open now: {@code --max-connections} is checked against this very count, so the
   * limit and {@code pidless_connections_open} cannot disagree.
   */
  public final AtomicInteger connectionsOpen = new AtomicInteger();
  public final LongAdder connectionsTotal = new LongAdder();
  public final LongAdder bytesReceived = new LongAdder();
  public final LongAdder deltasReceived = new LongAdder();
  public final LongAdder batchesApplied = new LongAdder();
  public final LongAdder batchesAlreadySettled = new LongAdder();
  public final LongAdder seriesCreated = new LongAdder();
  public final LongAdder seriesExpired = new LongAdder();
  public final LongAdder deltasDroppedRejectedSeries = new LongAdder();
  /** State files moved aside at start because they could not be read (damaged, or not decodable). */
  public final LongAdder stateFilesUnreadable = new LongAdder();
  private final Map<FrameType, LongAdder> frames = new EnumMap<>(FrameType.class);
  private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);
  private final Map<MetricType, LongAdder> saturated = new EnumMap<>(MetricType.class);
  private final Map<Closed, LongAdder> closed = new EnumMap<>(Closed.class);

  /**
   * Why the aggregator closed or refused a connection to keep the others served, where no ERROR code
   * says it: an idle close sends none, and a per-uid refusal shares {@code CONNECTION_LIMIT} with
   * {@code --max-connections}. A {@code FRAME_TIMEOUT} or {@code UNREAD_ANSWERS} close is counted by its
   * code in {@link #error} only, so no close is counted under two names.
   */
  public enum Closed {
    /** No frame for {@code --idle-timeout} and no live gauge value held: a normal close, no ERROR. */
    IDLE_TIMEOUT,
    /**
     * Its uid already held {@code --max-connections-per-uid} connections: which of the two limits a
     * {@code CONNECTION_LIMIT} error was.
     */
    UID_CONNECTION_LIMIT;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public AggregatorStats() {
    for (FrameType t : FrameType.values()) {
      frames.put(t, new LongAdder());
    }
    for (ErrorCode c : ErrorCode.values()) {
      errors.put(c, new LongAdder());
    }
    for (MetricType t : MetricType.values()) {
      saturated.put(t, new LongAdder());
    }
    for (Closed c : Closed.values()) {
      closed.put(c, new LongAdder());
    }
  }

  /** A delta to a series of {@code type} left a value at its bound instead of overflowing. */
  public void valueSaturated(MetricType type) {
    saturated.get(type).increment();
  }

  public long valuesSaturated(MetricType type) {
    return saturated.get(type).sum();
  }

  public void frameReceived(FrameType type) {
    frames.get(type).increment();
  }

  public long framesReceived(FrameType type) {
    return frames.get(type).sum();
  }

  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  public long errors(ErrorCode code) {
    return errors.get(code).sum();
  }

  public void closed(Closed reason) {
    closed.get(reason).increment();
  }

  public long closedCount(Closed reason) {
    return closed.get(reason).sum();
  }
}
