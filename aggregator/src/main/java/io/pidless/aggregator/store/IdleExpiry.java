package io.pidless.aggregator.store;

import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Caffeine expiry for "idle for {@code ttl}, unless pinned": an entry expires {@code ttl} after it was
 * last created, updated or read, and never while {@code pinned} holds for it. When an entry stops
 * being pinned, re-put it ({@code asMap().replace(k, v, v)}) so its countdown starts.
 *
 * <pre>{@code
 * Caffeine.newBuilder().expireAfter(new IdleExpiry<String, Session>(Duration.ofMinutes(10), Session::owned));
 * }</pre>
 */
public final class IdleExpiry<K, V> implements Expiry<K, V> {
  private final long ttlNanos;
  private final Predicate<V> pinned;

  public IdleExpiry(Duration ttl, Predicate<V> pinned) {
    this.ttlNanos = ttl.toNanos();
    this.pinned = pinned;
  }

  @Override
  public long expireAfterCreate(K key, V value, long now) {
    return pinned.test(value) ? Long.MAX_VALUE : ttlNanos;
  }

  @Override
  public long expireAfterUpdate(K key, V value, long now, long current) {
    return expireAfterCreate(key, value, now);
  }

  @Override
  public long expireAfterRead(K key, V value, long now, long current) {
    return expireAfterCreate(key, value, now);
  }
}
