package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pidless.protocol.FrameType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of {@link FrameDecoder} (Jazzer): any bytes, cut into any fragments. The
 * only exception is a {@link ProtocolException}, after which nothing more is emitted; every frame is
 * 1..max bytes of a client frame type; re-encoding the frames with their length prefixes gives back
 * exactly the bytes consumed; what is left is never a whole frame (the decoder looks at nothing shorter than a length and a type). {@code ./test.sh} fuzzes it for a
 * few seconds (the {@code fuzz} executions in aggregator/pom.xml); plain runs replay the inputs in
 * {@code src/test/resources/.../FrameDecoderFuzzTestInputs}.
 */
class FrameDecoderFuzzTest {
  private static final int MAX_FRAME = 4096;

  @FuzzTest(maxDuration = "6s")
  void framesReEncodeToTheBytesConsumed(FuzzedDataProvider data) {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(MAX_FRAME));
    ByteArrayOutputStream fed = new ByteArrayOutputStream();
    ByteArrayOutputStream reEncoded = new ByteArrayOutputStream();
    boolean failed = false;
    while (data.remainingBytes() > 0) {
      byte[] fragment = data.consumeBytes(1 + data.consumeInt(0, 64));
      fed.writeBytes(fragment);
      try {
        ch.writeInbound(Unpooled.wrappedBuffer(fragment));
      } catch (ProtocolException e) {
        assertNotNull(e.code());
        failed = true;
      }
      for (ByteBuf frame = ch.readInbound(); frame != null; frame = ch.readInbound()) {
        try {
          assertTrue(!failed || reEncoded.size() < fed.size(), "no frame after a violation");
          int length = frame.readableBytes();
          assertTrue(length >= 1 && length <= MAX_FRAME, "frame length " + length);
          FrameType type = FrameType.fromCode(frame.getUnsignedByte(frame.readerIndex()));
          assertTrue(type == FrameType.HELLO || type == FrameType.DEFINE || type == FrameType.BATCH, "type " + type);
          reEncoded.writeBytes(ByteBuffer.allocate(4).putInt(length).array());
          reEncoded.writeBytes(ByteBufUtil.getBytes(frame));
        } finally {
          frame.release();
        }
      }
    }
    byte[] in = fed.toByteArray();
    byte[] out = reEncoded.toByteArray();
    byte[] consumed = java.util.Arrays.copyOf(in, out.length);
    assertArrayEquals(consumed, out, "the frames are exactly the bytes they came from");
    if (!failed) {
      int left = in.length - out.length;
      assertTrue(left < 5 || left < 4 + Integer.toUnsignedLong(ByteBuffer.wrap(in, out.length, 4).getInt()),
          "a whole frame was left undecoded");
    }
    ch.finishAndReleaseAll();
    assertNull(ch.readInbound());
  }
}
