package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.MetricType;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link DefineDecoder} (Jazzer) on any payload: it decodes, or throws a
 * {@link ProtocolException} or Netty's {@link IndexOutOfBoundsException} (a truncated frame, which
 * the connection handler reports); arrays sized from a count never exceed what the payload could
 * hold; a decoded DEFINE re-encodes to a payload that decodes to the same definition.
 */
class DefineDecoderFuzzTest {
  @FuzzTest(maxDuration = "6s")
  void decodesReEncodesAndDecodesTheSame(byte[] payload) {
    DefineDecoder.Decoded d;
    try {
      d = DefineDecoder.decode(Unpooled.wrappedBuffer(payload));
    } catch (ProtocolException | IndexOutOfBoundsException e) {
      return;
    }
    DefineRequest r = d.request();
    assertTrue(r.labelNames().length * 2 <= payload.length, "label count beyond the payload");
    assertTrue(r.bounds().length * 8 <= payload.length, "bound count beyond the payload");
    assertEquals(r.bounds().length + 1, d.shape().bucketCount());

    DefineRequest again = DefineDecoder.decode(Unpooled.wrappedBuffer(encode(d.id(), r))).request();
    assertEquals(r.type(), again.type());
    assertEquals(r.mode(), again.mode());
    assertEquals(r.name(), again.name());
    assertEquals(r.help(), again.help());
    assertArrayEquals(r.labelNames(), again.labelNames());
    assertArrayEquals(r.labelValues(), again.labelValues());
    assertEquals(Arrays.toString(r.bounds()), Arrays.toString(again.bounds()));
  }

  /** The DEFINE payload of docs/PROTOCOL.md, written with the protocol module's writer. */
  static byte[] encode(long id, DefineRequest r) {
    FrameWriter w = new FrameWriter();
    w.beginFrame(FrameType.DEFINE).varint(id).u8(r.type()).u8(r.mode()).string(r.name()).string(r.help())
        .varint(r.labelNames().length);
    for (int i = 0; i < r.labelNames().length; i++) {
      w.string(r.labelNames()[i]).string(r.labelValues()[i]);
    }
    if (r.type() == MetricType.HISTOGRAM.code()) {
      w.varint(r.bounds().length);
      for (double b : r.bounds()) {
        w.f64(b);
      }
    }
    w.endFrame();
    byte[] frame = w.toByteArray();
    return Arrays.copyOfRange(frame, 5, frame.length);
  }
}
