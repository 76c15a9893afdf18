package io.pidless.protocol;

/** Constants of protocol v1 that both ends must agree on (docs/PROTOCOL.md). */
public final class Protocol {
  /** The only protocol version this code speaks. */
  public static final int VERSION = 1;
  /** Bytes of the length prefix in front of every frame. */
  public static final int LENGTH_PREFIX_BYTES = 4;
  /** Default and announced maximum of a frame's length field. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
  /** Bytes in a session id. */
  public static final int SESSION_ID_BYTES = 16;
  /** Most series ids one connection may bind, rejected definitions included. */
  public static final int MAX_IDS_PER_CONNECTION = 1 << 20;
  /** Largest series id. */
  public static final long MAX_SERIES_ID = Integer.MAX_VALUE;
  /** Longest help text in DEFINE. */
  public static final int MAX_HELP_BYTES = 4096;
  /** Environment variable naming the socket, read by the aggregator and every client; see {@link DefaultSocket}. */
  public static final String SOCKET_ENV = "PIDLESS_SOCKET";
  /** Environment variable with the uid clients require of the process behind the socket (SO_PEERCRED). */
  public static final String AGGREGATOR_UID_ENV = "PIDLESS_AGGREGATOR_UID";
  /** ACK outcome: the batch was applied now. */
  public static final int ACK_APPLIED = 0;
  /** ACK outcome: the batch was settled before (a re-send) and was not applied again. */
  public static final int ACK_ALREADY_SETTLED = 1;

  private Protocol() {}
}
