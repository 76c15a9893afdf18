package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.TempSocketDir;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A full session table (docs/PROTOCOL.md, SESSION_LIMIT) is "not now", not "broken": the client backs
 * off, retries, and delivers everything once a place is free.
 */
class SessionLimitIT {
  @Test
  @Timeout(60)
  void aFullSessionTableIsRetriedAfterABackoffAndNothingIsLost() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess agg = AggregatorProcess.start(dir.socket(), "--max-sessions", "1");
        PidlessClient client = PidlessClient.builder().socket(dir.socket()).flushInterval(Duration.ofHours(1))
            .shutdownHook(false).build()) {
      SocketChannel holder = SocketChannel.open(StandardProtocolFamily.UNIX);
      holder.connect(UnixDomainSocketAddress.of(dir.socket()));
      byte[] session = new byte[16];
      new SecureRandom().nextBytes(session);
      new FrameWriter().hello(session, "holder").writeTo(holder);
      assertTrue(new FrameReader(holder).read() instanceof ServerFrame.HelloOk, "the table's one place is taken");
      Counter.build("sl_waited_total", "Waited for a place.").register(client).inc(3);
      CompletableFuture<Boolean> flushed = CompletableFuture.supplyAsync(() -> client.flush(Duration.ofSeconds(30)));
      Await.awaitValue("the client refused a session", Duration.ofSeconds(20),
          () -> agg.scrape().value("pidless_protocol_errors_total{code=\"session_limit\"}"), v -> v > 0);
      holder.close();   // it settled nothing: forgotten at once, and the place is free
      assertTrue(flushed.get(40, TimeUnit.SECONDS));
      assertEquals(3.0, agg.scrape().value("sl_waited_total"));
      assertTrue(agg.scrape().value("pidless_protocol_errors_total{code=\"session_limit\"}") >= 1);
    }
  }
}
