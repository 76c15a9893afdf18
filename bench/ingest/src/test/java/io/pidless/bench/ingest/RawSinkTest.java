package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pidless.protocol.FrameWriter;
import io.pidless.testsupport.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The baselines over real Unix sockets, with the load's own connection classes. */
class RawSinkTest {
  @Test
  void ackingSinkAnswersHelloAndEveryBatchInOrder() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pbt");
    Path socket = dir.resolve("s.sock");
    RawSink sink = RawSink.acking(socket);
    try (AckedConnection c = AckedConnection.open(socket, Frames.hello(Frames.newSessionId(),
        CounterSeries.of("t_total", 0), 1, 10), 4)) {
      FrameWriter w = new FrameWriter();
      byte[] body = Frames.batchBody(1, 10);
      for (long seq = 1; seq <= 300; seq++) {
        Frames.batch(w, seq, body);
        c.send(seq, 10, w);
      }
      c.drain(Duration.ofSeconds(10));
      assertEquals(3000, c.ackedDeltas());
      assertEquals(300, c.ackedBatches());
    } finally {
      sink.close();
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void discardingSinkCountsEveryByte() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "pbt");
    Path socket = dir.resolve("s.sock");
    byte[] preamble = Frames.hello(Frames.newSessionId(), CounterSeries.of("t_total", 0), 1, 10);
    FrameWriter w = new FrameWriter();
    Frames.batch(w, 1, Frames.batchBody(1, 10));
    int batchBytes = w.size();
    try (RawSink sink = RawSink.discarding(socket)) {
      try (BatchChannel c = new BatchChannel.Unanswered(socket, preamble)) {
        c.send(1, 10, w);
      }
      assertEquals(preamble.length + batchBytes, Await.awaitValue("the sink read the hello and the batch",
          sink::bytesRead, n -> n >= preamble.length + batchBytes));
    } finally {
      Files.deleteIfExists(dir);
    }
  }
}
