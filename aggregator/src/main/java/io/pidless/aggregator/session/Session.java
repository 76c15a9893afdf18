package io.pidless.aggregator.session;

/**
 * Exactly-once bookkeeping for one client session: the highest batch sequence number settled, and
 * which connection owns the session now. Both change only under this object's lock, so a batch from a
 * connection that lost the session to a newer one can never be applied after the handover.
 */
public final class Session {
  /** What {@link #settle} did. */
  public enum Settled { NEW, ALREADY_SETTLED, NOT_OWNER }

  private final SessionId id;
  private Object owner;
  private long settledSeq;

  Session(SessionId id) {
    this.id = id;
  }

  public SessionId id() {
    return id;
  }

  public synchronized long settledSeq() {
    return settledSeq;
  }

  /** Takes over the settled sequence number an earlier aggregator saved for this session. */
  synchronized void restoreSettled(long seq) {
    settledSeq = Math.max(settledSeq, seq);
  }

  synchronized Object attach(Object newOwner) {
    Object previous = owner;
    owner = newOwner;
    return previous;
  }

  synchronized boolean detach(Object who) {
    if (owner != who) {
      return false;
    }
    owner = null;
    return true;
  }

  synchronized boolean owned() {
    return owner != null;
  }

  /** True when no connection holds the session and it settled nothing: there is nothing to remember. */
  synchronized boolean forgettable() {
    return owner == null && settledSeq == 0;
  }

  /**
   * Runs {@code action} (apply or reject the batch) if {@code seq} is new and {@code who} still owns
   * the session, then records {@code seq} as settled.
   */
  public synchronized Settled settle(Object who, long seq, Runnable action) {
    if (owner != who) {
      return Settled.NOT_OWNER;
    }
    if (seq <= settledSeq) {
      return Settled.ALREADY_SETTLED;
    }
    action.run();
    settledSeq = seq;
    return Settled.NEW;
  }
}
