package io.pidless.aggregator.session;

/** The 16-byte session id a client picks once per process, as two longs. */
public record SessionId(long high, long low) {
  @Override
  public String toString() {
    return String.format("%016x%016x", high, low);
  }
}
