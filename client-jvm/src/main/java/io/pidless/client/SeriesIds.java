package io.pidless.client;

import io.pidless.protocol.Protocol;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ids this client gave its series, and which rejections it has reported. An id is given once,
 * the first time a series has something to send, and is the series' id on every connection, so a
 * batch cut on one connection can be replayed on the next. A rejection is logged once, and again only
 * if the series is rejected after a connection accepted it. Thread-safe: the flusher assigns ids,
 * connection readers look them up.
 */
final class SeriesIds {
  /** Ids a connection may bind (docs/PROTOCOL.md): series beyond are not sent. */
  static final int MAX_SERIES = Protocol.MAX_IDS_PER_CONNECTION;

  private final List<Series> byId = new ArrayList<>();
  /** Ids of series whose rejection was logged and that no connection has accepted since. */
  private final Set<Long> reportedRejections = new HashSet<>();
  private boolean limitReported;

  /** Gives {@code s} the next id; false, with a warning the first time, once every id is taken. */
  synchronized boolean assign(Series s) {
    if (byId.size() >= MAX_SERIES) {
      if (!limitReported) {
        limitReported = true;
        Delivery.LOG.log(Level.WARNING, "pidless: more than " + MAX_SERIES + " series in this process; " + s
            + " and later new series are not sent. Use fewer label values.");
      }
      return false;
    }
    byId.add(s);
    s.id = byId.size();
    return true;
  }

  /** Every series with an id, in id order. */
  synchronized List<Series> all() {
    return new ArrayList<>(byId);
  }

  /**
   * The aggregator of connection {@code generation} rejected the DEFINE of id {@code ref}: marks the
   * series rejected there. Returns it when its rejection is to be logged, else null.
   */
  synchronized Series rejected(long ref, long generation) {
    Series s = ref >= 1 && ref <= byId.size() ? byId.get((int) ref - 1) : null;
    if (s != null) {
      s.rejectedOn = generation;
    }
    return reportedRejections.add(ref) ? s : null;
  }

  /**
   * The series with a delta in {@code acked}, a batch connection {@code generation} ACKed, were
   * accepted there unless rejected: an ERROR for a DEFINE comes before the ACK of any batch sent
   * after it. Their next rejection is logged again.
   */
  synchronized void accepted(BatchEncoder.Batch acked, long generation) {
    if (acked == null || reportedRejections.isEmpty()) {
      return;
    }
    for (Series s : acked.series()) {
      if (s.rejectedOn != generation) {
        reportedRejections.remove((long) s.id);
      }
    }
  }
}
