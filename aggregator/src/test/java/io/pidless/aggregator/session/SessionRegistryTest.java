package io.pidless.aggregator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.pidless.aggregator.config.AggregatorConfig.Budgets;
import io.pidless.aggregator.HeapMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionRegistryTest {
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;
  private final SessionRegistry registry = new SessionRegistry(Duration.ofMinutes(10), 1_000, ticker);
  private final SessionId id = new SessionId(1, 2);

  @Test
  void aReSentBatchIsSettledOnceAcrossReconnects() {
    AtomicInteger applied = new AtomicInteger();
    Object first = new Object();
    Session s = registry.attach(id, first).session();
    assertEquals(Session.Settled.NEW, s.settle(first, 1, applied::incrementAndGet));
    registry.detach(s, first);
    Object second = new Object();
    SessionRegistry.Attached again = registry.attach(id, second);
    assertSame(s, again.session());
    assertNull(again.previousOwner());
    assertEquals(1, again.session().settledSeq());
    assertEquals(Session.Settled.ALREADY_SETTLED, s.settle(second, 1, applied::incrementAndGet));
    assertEquals(Session.Settled.NEW, s.settle(second, 5, applied::incrementAndGet), "gaps are allowed");
    assertEquals(Session.Settled.ALREADY_SETTLED, s.settle(second, 3, applied::incrementAndGet));
    assertEquals(2, applied.get());
  }

  @Test
  void aNewerConnectionTakesTheSessionAndTheOldOneCanApplyNothing() {
    Object old = new Object();
    Session s = registry.attach(id, old).session();
    Object newer = new Object();
    assertSame(old, registry.attach(id, newer).previousOwner());
    assertEquals(Session.Settled.NOT_OWNER, s.settle(old, 1, () -> { throw new AssertionError("applied"); }));
    registry.detach(s, old);
    assertEquals(Session.Settled.NEW, s.settle(newer, 1, () -> { }), "the old one's close does not detach the new");
  }

  @Test
  void aDisconnectedSessionIsForgottenAfterItsTtlAndAConnectedOneNever() {
    Object owner = new Object();
    Session s = registry.attach(id, owner).session();
    s.settle(owner, 7, () -> { });
    nanos.addAndGet(Duration.ofHours(1).toNanos());
    registry.cleanUp();
    assertSame(s, registry.attach(id, owner).session(), "connected sessions stay");
    registry.detach(s, owner);
    nanos.addAndGet(Duration.ofMinutes(9).toNanos());
    registry.cleanUp();
    assertEquals(1, registry.size());
    nanos.addAndGet(Duration.ofMinutes(2).toNanos());
    registry.cleanUp();
    assertEquals(0, registry.size());
    Session fresh = registry.attach(id, owner).session();
    assertNotSame(s, fresh);
    assertEquals(0, fresh.settledSeq());
  }

  @Test
  void aFullTableRefusesNewSessionsButNeverForgetsAKnownOneBeforeItsTtl() {
    SessionRegistry small = new SessionRegistry(Duration.ofMinutes(10), 2, ticker);
    Object owner = new Object();
    Session known = small.attach(id, owner).session();
    known.settle(owner, 4, () -> { });
    small.detach(known, owner);
    Object other = new Object();
    Session second = small.attach(new SessionId(3, 4), other).session();
    second.settle(other, 1, () -> { });
    assertNull(small.attach(new SessionId(5, 6), new Object()), "full: a new session is refused");
    assertEquals(4, small.attach(id, owner).session().settledSeq(), "a known one is not");
    small.detach(known, owner);
    nanos.addAndGet(Duration.ofMinutes(11).toNanos());
    small.detach(second, other);
    assertEquals(1, small.size(), "after its ttl the known session is gone, and its place free");
    assertEquals(0, small.attach(new SessionId(5, 6), new Object()).session().settledSeq());
  }

  @Test
  void aSessionThatSettledNothingIsForgottenWhenItsConnectionCloses() {
    Object owner = new Object();
    Session s = registry.attach(id, owner).session();
    Object newer = new Object();
    registry.attach(id, newer);
    registry.detach(s, owner);
    assertEquals(1, registry.size(), "still held by the newer connection");
    registry.detach(s, newer);
    assertEquals(0, registry.size(), "nothing settled, nothing to remember");
  }

  /** Found by StateReaderFuzzTest: restored, then saved as nothing, it did not round-trip. */
  @Test
  void aSavedSessionThatSettledNothingIsNotRestored() {
    assertFalse(registry.restore(new SessionRegistry.Remembered(id, 0, 1_000)));
    assertEquals(0, registry.size());
    assertTrue(registry.restore(new SessionRegistry.Remembered(id, 7, 1_000)));
    assertEquals(7, registry.remembered().get(0).settledSeq());
  }

  /** The figure behind --max-sessions' default: heap per remembered session, measured. */
  @Test
  void aRememberedSessionCostsAtMostItsStatedBytes() {
    int n = 200_000;
    SessionRegistry big = new SessionRegistry(Duration.ofMinutes(10), n, ticker);
    long before = HeapMeter.used();
    for (int i = 0; i < n; i++) {
      Object owner = new Object();
      Session s = big.attach(new SessionId(i * 0x9E3779B97F4A7C15L, i), owner).session();
      s.settle(owner, i + 1, () -> { });
      big.detach(s, owner);
    }
    long bytes = HeapMeter.used() - before;
    assertEquals(n, big.size());
    double perSession = bytes / (double) n;
    System.out.printf("heap per remembered session: %.1f B (%d sessions)%n", perSession, n);
    assertTrue(perSession <= Budgets.BYTES_PER_SESSION, perSession + " B per session");
  }
}
