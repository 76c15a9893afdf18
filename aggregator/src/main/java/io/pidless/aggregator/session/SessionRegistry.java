package io.pidless.aggregator.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.pidless.aggregator.store.IdleExpiry;
import java.time.Duration;

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

  /** The attached session and the connection that owned it before, if any. */
  public record Attached(Session session, Object previousOwner) {}

  public SessionRegistry(Duration sessionTtl, Ticker ticker) {
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

  public long size() {
    sessions.cleanUp();
    return sessions.estimatedSize();
  }

  public void cleanUp() {
    sessions.cleanUp();
  }
}
