package io.pidless.aggregator.config;

/** A flag or environment value the aggregator cannot start with; {@code main} prints it and exits 2. */
public final class UsageException extends Exception {
  public UsageException(String message) {
    super(message);
  }
}
