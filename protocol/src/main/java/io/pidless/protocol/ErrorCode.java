package io.pidless.protocol;

/**
 * Stable ERROR codes of protocol v1. The hundreds digit is the class: 1xx closes the connection,
 * 2xx rejects one definition, 3xx rejects one batch (docs/PROTOCOL.md, "ERROR").
 * {@link #label()} names the code in the aggregator's self-metrics: the {@code code} label of
 * {@code pidless_protocol_errors_total} for a 1xx, the {@code reason} label of
 * {@code pidless_rejections_total} for the others.
 */
public enum ErrorCode {
  MALFORMED_FRAME(100, false),
  FRAME_TOO_LARGE(101, false),
  UNKNOWN_FRAME_TYPE(102, false),
  UNSUPPORTED_VERSION(103, false),
  BAD_HANDSHAKE(104, false),
  UNKNOWN_SERIES_ID(105, false),
  DUPLICATE_SERIES_ID(106, false),
  SESSION_TAKEN_OVER(107, true),
  CONNECTION_LIMIT(108, true),
  TOO_MANY_SERIES_IDS(109, false),
  SESSION_LIMIT(110, true),
  MEMORY_LIMIT(111, true),
  UNREAD_ANSWERS(112, true),
  FRAME_TIMEOUT(113, true),
  INVALID_NAME(200, false),
  INVALID_LABEL(201, false),
  TYPE_CLASH(202, false),
  SERIES_LIMIT(203, false),
  LABEL_LIMIT(204, false),
  LENGTH_LIMIT(205, false),
  INVALID_DEFINITION(206, false),
  SERIES_BYTES_LIMIT(207, false),
  INVALID_VALUE(300, false);

  private final int code;
  private final boolean retryable;

  ErrorCode(int code, boolean retryable) {
    this.code = code;
    this.retryable = retryable;
  }

  public int code() {
    return code;
  }

  /** True for the 1xx protocol violations, after which the aggregator closes the connection. */
  public boolean closesConnection() {
    return code < 200;
  }

  /**
   * True for the 1xx codes that mean "not now" rather than "this client is broken": the client
   * reconnects after a backoff and re-sends what was not acknowledged.
   */
  public boolean retryable() {
    return retryable;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Returns the code for a wire value, or {@code null} for a code this version does not know. */
  public static ErrorCode fromCode(int code) {
    for (ErrorCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return null;
  }
}
