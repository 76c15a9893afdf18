package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client sizes its frames from the {@code max_frame_bytes} the aggregator announces in HELLO_OK
 * (docs/PROTOCOL.md, "Frames"): against an aggregator started with the smallest
 * {@code --max-frame-bytes} it accepts, many series go out in several batches, and a DEFINE that
 * cannot fit is not sent, so the aggregator never closes the connection with FRAME_TOO_LARGE.
 */
class MaxFrameBytesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** The smallest --max-frame-bytes the aggregator accepts (AggregatorConfig). */
  private static final int SMALLEST_FRAME = 1024;
  private static final int SERIES = 400;

  private static AggregatorProcess aggregator;
  private ClientLog log;
  private PidlessClient client;

  @BeforeAll
  static void startAggregator() throws Exception {
    aggregator = AggregatorProcess.startOnTempSocket("--max-frame-bytes", Integer.toString(SMALLEST_FRAME));
  }

  @AfterAll
  static void stopAggregator() throws Exception {
    aggregator.close();
  }

  @BeforeEach
  void captureLogAndConnect() {
    log = ClientLog.capture();
    client = PidlessClient.builder().socket(aggregator.socket()).flushInterval(Duration.ofHours(1))
        .shutdownHook(false).build();
  }

  @AfterEach
  void close() {
    client.close();
    log.close();
  }

  @Test
  void manySeriesArriveInBatchesThatFitASmallFrameLimit() throws Exception {
    Counter records = Counter.build("mf_records_total", "Records.").labelNames("worker").register(client);
    for (int round = 1; round <= 2; round++) {
      for (int i = 0; i < SERIES; i++) {
        records.labels(worker(i)).inc(i + 1);
      }
      assertTrue(client.flush(WAIT), "round " + round);
      Scrape s = aggregator.scrape();
      for (int i = 0; i < SERIES; i++) {
        assertEquals(round * (i + 1.0), s.value("mf_records_total{worker=\"" + worker(i) + "\"}"), worker(i));
      }
      assertNoErrors(s);
    }
    // 400 deltas of >= 10 bytes each, twice, need at least 8 batches of 1 KiB.
    assertTrue(aggregator.scrape().value("pidless_acks_sent_total{outcome=\"applied\"}") >= 8);
  }

  @Test
  void aDefinitionLargerThanTheFrameLimitIsNotSentAndTheRestArrives() throws Exception {
    Counter fits = Counter.build("mf_fits_total", "Fits.").register(client);
    Counter tooLong = Counter.build("mf_long_help_total", "x".repeat(SMALLEST_FRAME)).register(client);
    fits.inc(3);
    tooLong.inc(5);
    assertTrue(client.flush(WAIT));
    fits.inc(4);
    tooLong.inc(6);
    assertTrue(client.flush(WAIT));

    Scrape s = aggregator.scrape();
    assertEquals(7.0, s.value("mf_fits_total"));
    assertFalse(s.has("mf_long_help_total"));
    assertNoErrors(s);
    assertEquals(1, log.warnings().stream().filter(m -> m.contains("mf_long_help_total")
        && m.contains("--max-frame-bytes " + SMALLEST_FRAME)).count(), log.warnings().toString());
  }

  private static String worker(int i) {
    return String.format("w%03d", i);
  }

  private static void assertNoErrors(Scrape s) {
    for (Map.Entry<Map<String, String>, Double> e : s.series("pidless_protocol_errors_total").entrySet()) {
      assertEquals(0.0, e.getValue(), "pidless_protocol_errors_total" + e.getKey());
    }
    for (Map.Entry<Map<String, String>, Double> e : s.series("pidless_rejections_total").entrySet()) {
      assertEquals(0.0, e.getValue(), "pidless_rejections_total" + e.getKey());
    }
  }
}
