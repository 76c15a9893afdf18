package io.pidless.aggregator.store;

import io.pidless.protocol.ErrorCode;

/** A definition the store will not accept; the code goes back to the client in an ERROR frame. */
public final class DefinitionRejectedException extends Exception {
  private final ErrorCode code;

  public DefinitionRejectedException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
