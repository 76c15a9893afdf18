package io.pidless.aggregator.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.pidless.aggregator.store.IdleExpiry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sessions by id. A session with an open connection is kept; one without is forgotten
 * {@code sessionTtl} after its last connection closed, and with it the memory of its sequence numbers,
 * never earlier: exactly-once rests on it. So the table is bounded by refusing <em>new</em> sessions
 * once it holds {@code maxSessions}, never by evicting known ones; and a session that settled nothing
 * is forgotten as soon as its connection closes, since there is nothing to remember, so a flood of
 * connect-HELLO-close fills nothing.
 *
 * <pre>{@code
 * SessionRegistry sessions = new SessionRegistry(Duration.ofMinutes(10), 100_000, Ticker.systemTicker());
 * SessionRegistry.Attached a = sessions.attach(id, this);   // null: the table is full, refuse
 * }</pre>
 */
public final class SessionRegistry {
  private final Cache<SessionId, Session> sessions;
  private final long ttlNanos;
  private final long maxSessions;

  /** The attached session and the connection that owned it before, if any. */
  public record Attached(Session session, Object previousOwner) {}

  /** What a session needs to outlive the aggregator: its settled seq and how long it has left. */
  public record Remembered(SessionId id, long settledSeq, long idleLeftNanos) {}

  public SessionRegistry(Duration sessionTtl, long maxSessions, Ticker ticker) {
    this.ttlNanos = sessionTtl.toNanos();
    this.maxSessions = maxSessions;
    this.sessions = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(Runnable::run)
        .expireAfter(new IdleExpiry<SessionId, Session>(sessionTtl, Session::owned))
        .build();
  }

  /**
   * Makes {@code owner} the session's connection, taking it from any earlier one; null when the
   * session is new and {@code maxSessions} are remembered already.
   */
  public Attached attach(SessionId id, Object owner) {
    if (sessions.estimatedSize() >= maxSessions) {
      sessions.cleanUp();
    }
    Object[] previous = new Object[1];
    Session s = sessions.asMap().compute(id, (k, known) -> {
      if (known == null && sessions.estimatedSize() >= maxSessions) {
        return null;
      }
      Session session = known != null ? known : new Session(k);
      previous[0] = session.attach(owner);
      return session;
    });
    return s == null ? null : new Attached(s, previous[0]);
  }

  /**
   * {@code owner}'s connection closed; unless another took the session over, its countdown starts,
   * or, when it settled nothing, it is forgotten now.
   */
  public void detach(Session s, Object owner) {
    if (!s.detach(owner)) {
      return;
    }
    if (s.settledSeq() > 0) {
      sessions.asMap().replace(s.id(), s, s);
    } else {
      sessions.asMap().computeIfPresent(s.id(), (k, v) -> v == s && s.forgettable() ? null : v);
    }
  }

  /** Every session that has settled a batch; call once no connection is open, at shutdown. */
  public List<Remembered> remembered() {
    sessions.cleanUp();
    var expiry = sessions.policy().expireVariably().orElseThrow();
    List<Remembered> out = new ArrayList<>();
    sessions.asMap().forEach((id, s) -> {
      long seq = s.settledSeq();
      long left = Math.min(ttlNanos, expiry.getExpiresAfter(id, TimeUnit.NANOSECONDS).orElse(0));
      if (seq > 0 && left > 0) {
        out.add(new Remembered(id, seq, left));
      }
    });
    return out;
  }

  /**
   * Remembers a session an earlier aggregator saved: disconnected, forgotten after its time left.
   * One that settled nothing carries nothing to remember (the rule {@link #remembered()} saves by).
   *
   * @return whether it is remembered
   */
  public boolean restore(Remembered r) {
    if (r.settledSeq() <= 0) {
      return false;
    }
    Session s = sessions.get(r.id(), Session::new);
    s.restoreSettled(r.settledSeq());
    if (!s.owned()) {
      sessions.policy().expireVariably().orElseThrow()
          .setExpiresAfter(r.id(), Math.max(r.idleLeftNanos(), 1), TimeUnit.NANOSECONDS);
    }
    return true;
  }

  public long size() {
    sessions.cleanUp();
    return sessions.estimatedSize();
  }

  /** The most sessions remembered at once. */
  public long limit() {
    return maxSessions;
  }

  public void cleanUp() {
    sessions.cleanUp();
  }
}
