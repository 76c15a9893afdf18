package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameWriter;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private static byte[] twoFrames() {
    FrameWriter w = new FrameWriter();
    w.hello(new byte[16], "t");
    w.beginFrame(io.pidless.protocol.FrameType.BATCH).varint(1).varint(1).varint(1).f64(2.0).endFrame();
    return w.toByteArray();
  }

  @Test
  void shouldDecodeFramesFedOneByteAtATime() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
    byte[] bytes = twoFrames();
    for (byte b : bytes) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    ByteBuf hello = ch.readInbound();
    ByteBuf batch = ch.readInbound();
    assertEquals(0x01, hello.getUnsignedByte(0));
    assertEquals(1 + 1 + 16 + 2, hello.readableBytes());
    assertEquals(0x03, batch.getUnsignedByte(0));
    assertNull(ch.readInbound());
    hello.release();
    batch.release();
    assertFalse(ch.finish());
  }

  @Test
  void oversizedLengthIsRefusedBeforeThePayloadArrives() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
    ByteBuf header = Unpooled.buffer().writeInt(1025).writeByte(0x03);
    ProtocolException e = assertThrows(ProtocolException.class, () -> ch.writeInbound(header));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, e.code());
    ch.writeInbound(Unpooled.wrappedBuffer(twoFrames()));
    assertNull(ch.readInbound(), "after a violation everything else is discarded");
    assertFalse(ch.finish());
  }

  @Test
  void zeroLengthIsMalformed() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
    ProtocolException e = assertThrows(ProtocolException.class,
        () -> ch.writeInbound(Unpooled.buffer().writeInt(0).writeByte(1)));
    assertEquals(ErrorCode.MALFORMED_FRAME, e.code());
    assertFalse(ch.finish());
  }

  @Test
  void unknownAndServerFrameTypesAreRefused() {
    for (int type : new int[] {0x00, 0x04, 0x7f, 0x81, 0x83, 0xff}) {
      EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
      ProtocolException e = assertThrows(ProtocolException.class,
          () -> ch.writeInbound(Unpooled.buffer().writeInt(1).writeByte(type)));
      assertEquals(ErrorCode.UNKNOWN_FRAME_TYPE, e.code(), "type " + type);
      assertFalse(ch.finish());
    }
  }

  @Test
  void truncatedFrameWaitsForTheRest() {
    EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1024));
    byte[] bytes = twoFrames();
    ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, 10));
    assertNull(ch.readInbound());
    ch.writeInbound(Unpooled.wrappedBuffer(bytes, 10, bytes.length - 10));
    ByteBuf a = ch.readInbound();
    ByteBuf b = ch.readInbound();
    a.release();
    b.release();
    assertFalse(ch.finish());
  }
}
