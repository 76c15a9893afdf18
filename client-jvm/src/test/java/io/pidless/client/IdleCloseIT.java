package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * docs/PROTOCOL.md, "Idle close": the aggregator closes a connection that sent nothing for
 * {@code --idle-timeout}; the client reconnects at its next flush, loses nothing and logs nothing
 * above debug, since nothing was waiting for an answer.
 */
class IdleCloseIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String IDLE_CLOSES = "pidless_connections_closed_total{reason=\"idle_timeout\"}";

  @Test
  void anIdleCloseIsReconnectedQuietlyAndNothingIsLost() throws Exception {
    Logger clientLog = Logger.getLogger("io.pidless.client");
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.INFO.intValue()) {
          logged.add(r.getLevel() + " " + r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    clientLog.addHandler(capture);
    try (AggregatorProcess aggregator = AggregatorProcess.startOnTempSocket("--idle-timeout", "1s");
        PidlessClient client = PidlessClient.builder().socket(aggregator.socket()).flushInterval(Duration.ofHours(1))
            .shutdownHook(false).build()) {
      Counter jobs = Counter.build("idle_jobs_total", "Jobs.").register(client);
      jobs.inc(3);
      assertTrue(client.flush(WAIT));
      Await.awaitValue("the aggregator closed the idle connection", WAIT,
          () -> aggregator.scrape().value(IDLE_CLOSES), v -> v >= 1);
      jobs.inc(4);
      assertTrue(client.flush(WAIT));
      assertEquals(7.0, aggregator.scrape().value("idle_jobs_total"));
      assertEquals(List.of(), logged, "an idle close is no outage");
    } finally {
      clientLog.removeHandler(capture);
    }
  }
}
