package io.pidless.client;

import io.pidless.protocol.FrameWriter;

/**
 * One labelled series of a metric: the pending delta user threads add to, and the id the flusher
 * thread gave it when it first DEFINEd it. Only the flusher calls the package-private methods.
 */
public abstract class Series {
  final Family family;
  final String[] labelValues;
  /** 0 until the flusher defines the series; then its id on every connection of this client. */
  int id;
  /** The connection generation this series was last DEFINEd on; flusher thread only. */
  long definedOn;
  /**
   * The connection generation whose aggregator rejected this series' DEFINE, 0 if none: its deltas
   * are dropped while that connection lasts. Set by that connection's reader thread.
   */
  volatile long rejectedOn;

  Series(Family family, String[] labelValues) {
    this.family = family;
    this.labelValues = labelValues;
  }

  /** Moves the pending delta, if there is one, into {@code out}. Flusher thread only. */
  abstract void drain(BatchEncoder out);

  /** Called after a reconnect: a live gauge marks its current value to be sent again. */
  void afterReconnect() {}

  /** Writes this series' DEFINE frame with its id; {@link FrameLimit#define} checks that it fits first. */
  final void define(FrameWriter w) {
    w.define(id, family.type, family.mode, family.name, family.help, family.labelNames, labelValues,
        family.bounds);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(family.name).append('{');
    for (int i = 0; i < labelValues.length; i++) {
      b.append(i == 0 ? "" : ",").append(family.labelNames[i]).append("=\"").append(labelValues[i]).append('"');
    }
    return b.append('}').toString();
  }
}
