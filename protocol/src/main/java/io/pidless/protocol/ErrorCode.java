package io.pidless.protocol;

/**
 * Stable ERROR codes of protocol v1. The hundreds digit is the class: 1xx closes the connection,
 * 2xx rejects one definition, 3xx rejects one batch (docs/PROTOCOL.md, "ERROR").
 * {@link #label()} names the code in the aggregator's self-metrics: the {@code code} label of
 * {@code pidless_protocol_errors_total} for a 1xx, the {@code reason} label of
 * {@code pidless_rejections_total} for the others.
 */
public enum ErrorCode {
  MALFORMED_FRAME(100),
  FRAME_TOO_LARGE(101),
  UNKNOWN_FRAME_TYPE(102),
  UNSUPPORTED_VERSION(103),
  BAD_HANDSHAKE(104),
  UNKNOWN_SERIES_ID(105),
  DUPLICATE_SERIES_ID(106),
  SESSION_TAKEN_OVER(107),
  CONNECTION_LIMIT(108),
  TOO_MANY_SERIES_IDS(109),
  SESSION_LIMIT(110),
  MEMORY_LIMIT(111),
  UNREAD_ANSWERS(112),
  FRAME_TIMEOUT(113),
  INVALID_NAME(200),
  INVALID_LABEL(201),
  TYPE_CLASH(202),
  SERIES_LIMIT(203),
  LABEL_LIMIT(204),
  LENGTH_LIMIT(205),
  INVALID_DEFINITION(206),
  SERIES_BYTES_LIMIT(207),
  INVALID_VALUE(300);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
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
    return switch (this) {
      case SESSION_TAKEN_OVER, CONNECTION_LIMIT, SESSION_LIMIT, MEMORY_LIMIT, UNREAD_ANSWERS,
          FRAME_TIMEOUT -> true;
      default -> false;
    };
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
