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
 * {@code sessionTtl} after its last connection closed, and with it the memory of its sequence numbers.
 *
 * <pre>{@code
 * SessionRegistry sessions = new SessionRegistry(Duration.ofMinutes(10), Ticker.systemTicker());
 * SessionRegistry.Attached a = sessions.attach(id, this);   // a.previousOwner() lost the session
 * }</pre>
 */
public final class SessionRegistry {
  /** Sessions remembered at most; beyond it the least recently used disconnected ones go first. */
  static final long MAX_SESSIONS = 1_000_000;

  private final Cache<SessionId, Session> sessions;
  private final long ttlNanos;

  /** The attached session and the connection that owned it before, if any. */
  public record Attached(Session session, Object previousOwner) {}

  /** What a session needs to outlive the aggregator: its settled seq and how long it has left. */
  public record Remembered(SessionId id, long settledSeq, long idleLeftNanos) {}

  public SessionRegistry(Duration sessionTtl, Ticker ticker) {
    ttlNanos = sessionTtl.toNanos();
    sessions = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(Runnable::run)
        .maximumSize(MAX_SESSIONS)
        .expireAfter(new IdleExpiry<SessionId, Session>(sessionTtl, Session::owned))
        .build();
  }

  /** Makes {@code owner} the session's connection, taking it from any earlier one. */
  public Attached attach(SessionId id, Object owner) {
    Session s = sessions.get(id, Session::new);
    Object previous = s.attach(owner);
    sessions.asMap().replace(id, s, s);
    return new Attached(s, previous);
  }

  /** {@code owner}'s connection closed; the session's countdown starts unless another took it over. */
  public void detach(Session s, Object owner) {
    if (s.detach(owner)) {
      sessions.asMap().replace(s.id(), s, s);
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

  /** Remembers a session an earlier aggregator saved: disconnected, forgotten after its time left. */
  public void restore(Remembered r) {
    Session s = sessions.get(r.id(), Session::new);
    s.restoreSettled(r.settledSeq());
    if (!s.owned()) {
      sessions.policy().expireVariably().orElseThrow()
          .setExpiresAfter(r.id(), Math.max(r.idleLeftNanos(), 1), TimeUnit.NANOSECONDS);
    }
  }

  public long size() {
    sessions.cleanUp();
    return sessions.estimatedSize();
  }

  public void cleanUp() {
    sessions.cleanUp();
  }
}
