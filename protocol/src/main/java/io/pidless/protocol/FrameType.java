package io.pidless.protocol;

/**
 * Frame types of protocol v1 (docs/PROTOCOL.md, "Frames"). Client frames have the high bit clear,
 * aggregator frames have it set, so a frame read in the wrong direction is caught at once.
 */
public enum FrameType {
  HELLO(0x01),
  DEFINE(0x02),
  BATCH(0x03),
  HELLO_OK(0x81),
  ACK(0x82),
  ERROR(0x83);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Returns the type for a wire byte, or {@code null} when the byte names no frame type. */
  public static FrameType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
