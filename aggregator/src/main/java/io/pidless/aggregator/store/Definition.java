package io.pidless.aggregator.store;

/**
 * An accepted definition, as one connection holds it. It caches the series it last wrote so the hot
 * path needs no map lookup; the store re-resolves it when the series has expired meanwhile.
 * Confined to the connection's event loop thread.
 */
public final class Definition {
  private SeriesKey key;
  private Family family;
  Series series;
  /** Ticker time at which this definition last refreshed its series' idle clock. */
  long touchedNanos;
  private String rejection;
  private boolean liveWritten;

  Definition(SeriesKey key, Family family, Series series) {
    this.key = key;
    this.family = family;
    this.series = series;
  }

  public SeriesKey key() {
    return key;
  }

  /** Adopts the series the store holds as its key, so later lookups compare by identity. */
  void key(SeriesKey stored) {
    key = stored;
  }

  public Family family() {
    return family;
  }

  void family(Family f) {
    family = f;
  }

  /** Why deltas for this definition are dropped, or null while it is good. */
  public String rejection() {
    return rejection;
  }

  void reject(String why) {
    rejection = why;
  }

  /** True once this connection holds a live gauge value in the series. */
  boolean liveWritten() {
    return liveWritten;
  }

  void markLiveWritten() {
    liveWritten = true;
  }
}
