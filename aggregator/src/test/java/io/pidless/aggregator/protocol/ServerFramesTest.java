package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.ServerFrame;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** What the aggregator writes is what the JVM client's reader reads back. */
class ServerFramesTest {
  private static ServerFrame roundTrip(ByteBuf frame) throws Exception {
    try {
      assertEquals(frame.readableBytes() - 4, frame.getInt(0), "length prefix");
      ByteBuffer body = ByteBuffer.allocate(frame.readableBytes() - 4);
      frame.getBytes(4, body);
      body.flip();
      return ServerFrame.parse(body);
    } finally {
      frame.release();
    }
  }

  @Test
  void answersRoundTrip() throws Exception {
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    assertEquals(new ServerFrame.HelloOk(1, 4096, 300, -7), roundTrip(ServerFrames.helloOk(alloc.buffer(), 4096, 300, -7)));
    assertEquals(new ServerFrame.Ack(Long.MAX_VALUE, 1), roundTrip(ServerFrames.ack(alloc.buffer(), Long.MAX_VALUE, 1)));
    String msg = "series id 3 is already defined — ünïcode";
    assertEquals(new ServerFrame.Error(ErrorCode.DUPLICATE_SERIES_ID, 106, 3, msg),
        roundTrip(ServerFrames.error(alloc.buffer(), ErrorCode.DUPLICATE_SERIES_ID, 3, msg)));
  }
}
