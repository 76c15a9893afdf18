package io.pidless.aggregator.remotewrite;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one remote_write endpoint has been sent, kept with JDK atomics so this package depends on no
 * metrics library; {@code http.SelfMetricsCollector} turns them into
 * {@code pidless_remote_write_*} metrics at scrape time. Every field may be read from any thread.
 */
public final class RemoteWriteStats {
  /** Why a push attempt failed; the label value of {@code pidless_remote_write_failures_total}. */
  public enum Failure {
    /** HTTP 4xx other than 429: the receiver refuses the push; it is dropped, not retried. */
    REJECTED,
    /** HTTP 429: the receiver asks us to slow down; retried with backoff. */
    THROTTLED,
    /** HTTP 5xx; retried with backoff. */
    SERVER_ERROR,
    /** No HTTP answer in time (connection refused, reset, timeout); retried with backoff. */
    NETWORK;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final String endpoint;
  private final LongAdder samplesSent = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();
  private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);
  private final AtomicLong lastSuccessMillis = new AtomicLong();
  private final AtomicLong pendingSamples = new AtomicLong();

  RemoteWriteStats(String endpoint) {
    this.endpoint = endpoint;
    for (Failure f : Failure.values()) {
      failures.put(f, new LongAdder());
    }
  }

  /** The endpoint's URL without user info or query: safe as a label value. */
  public String endpoint() {
    return endpoint;
  }

  public long samplesSent() {
    return samplesSent.sum();
  }

  /** Compressed bytes of delivered request bodies. */
  public long bytesSent() {
    return bytesSent.sum();
  }

  public long failures(Failure f) {
    return failures.get(f).sum();
  }

  /** Wall-clock time of the last delivered push, 0 before the first. */
  public long lastSuccessMillis() {
    return lastSuccessMillis.get();
  }

  /** Samples in the push waiting to be delivered; 0 when everything was delivered. */
  public long pendingSamples() {
    return pendingSamples.get();
  }

  void delivered(int samples, int bytes, long nowMillis) {
    samplesSent.add(samples);
    bytesSent.add(bytes);
    lastSuccessMillis.set(nowMillis);
  }

  void failed(Failure f) {
    failures.get(f).increment();
  }

  void pending(long samples) {
    pendingSamples.set(samples);
  }
}
