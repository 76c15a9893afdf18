package io.pidless.aggregator.protocol;

import io.netty.handler.codec.DecoderException;
import io.pidless.protocol.ErrorCode;

/** A 1xx protocol violation: the connection that caused it gets an ERROR and is closed. */
public final class ProtocolException extends DecoderException {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
