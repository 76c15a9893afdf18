package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One local client must never run the aggregator out of heap, against the real jar with deploy/'s JVM
 * options: series ids bound per connection and by all connections together, the bytes of series text
 * and the answers a client leaves unread each meet a budget and a counted refusal, while a good
 * client's totals stay exact.
 */
class MemoryBudgetIT {
  private static final int PER_CONNECTION = 3_000;
  private static final int ALL_CONNECTIONS = 8_000;

  @Test
  @Timeout(90)
  void connectionsBindingSeriesIdsMeetTheirBudgetsAndAGoodClientStaysExact() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket(),
            "--max-ids-per-connection", String.valueOf(PER_CONNECTION),
            "--max-ids", String.valueOf(ALL_CONNECTIONS)).deployed());
        TestClient good = new TestClient(dir.socket())) {
      good.hello();
      good.counter(1, "good_total").add(1, 1, 1).sendAndAck(1);

      try (TestClient greedy = new TestClient(dir.socket())) {
        greedy.hello();
        ServerFrame.Error e = bind(greedy, PER_CONNECTION + 1);
        assertEquals(ErrorCode.TOO_MANY_SERIES_IDS, e.code(), e.message());
        assertTrue(e.message().contains("--max-ids-per-connection"), e.message());
        assertTrue(greedy.closedByPeer());
      }
      try (TestClient first = new TestClient(dir.socket()); TestClient second = new TestClient(dir.socket());
          TestClient third = new TestClient(dir.socket())) {
        first.hello();
        second.hello();
        third.hello();
        assertNull(bind(first, PER_CONNECTION));
        assertNull(bind(second, PER_CONNECTION));
        ServerFrame.Error e = bind(third, PER_CONNECTION);
        assertEquals(ErrorCode.MEMORY_LIMIT, e.code(), e.message());
        assertTrue(e.message().contains("--max-ids"), e.message());
        assertTrue(third.closedByPeer());
        good.add(2, 1, 2).sendAndAck(2);
      }
      try (TestClient later = new TestClient(dir.socket())) {
        later.hello();
        assertNull(bind(later, PER_CONNECTION), "closed connections gave their ids back");
      }
      good.add(3, 1, 4).sendAndAck(3);
      Scrape s = p.scrape();
      assertEquals(7.0, s.value("good_total"));
      assertEquals(3.0, s.value("spam_total"), "one batch from each connection that stayed within budget");
      assertEquals(1.0, s.value("pidless_protocol_errors_total{code=\"too_many_series_ids\"}"));
      assertEquals(1.0, s.value("pidless_protocol_errors_total{code=\"memory_limit\"}"));
      assertEquals(ALL_CONNECTIONS, s.value("pidless_series_ids_limit"));
      assertEquals(0, p.stop(), p.output());
    }
  }

  /**
   * The attack: 750 histograms of 30 labels of 1,000 bytes each, whose scrape alone would be
   * 290 MB of text. With the budget the heap gives by default, the series past it are rejected one by
   * one, counted, and everything else goes on.
   */
  @Test
  @Timeout(90)
  void seriesOfHugeLabelsAreRejectedPastTheHeapsByteBudgetAndTheAggregatorStaysUp() throws Exception {
    int series = 750;
    int labels = 30;
    double[] bounds = {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    String[] names = new String[labels];
    for (int l = 0; l < labels; l++) {
      names[l] = "label_" + l;
    }
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket()).deployed());
        TestClient good = new TestClient(dir.socket());
        TestClient attacker = new TestClient(dir.socket())) {
      good.hello();
      good.counter(1, "good_total");
      attacker.hello();
      long seq = 0;
      int refused = 0;
      for (int i = 0; i < series; i++) {
        String[] values = new String[labels];
        for (int l = 0; l < labels; l++) {
          char[] value = new char[1000];
          Arrays.fill(value, (char) ('a' + (i + l) % 26));
          values[l] = i + new String(value, 0, 1000 - String.valueOf(i).length());
        }
        attacker.writer().define(i + 1, MetricType.HISTOGRAM, null, "huge_seconds", "help", names, values, bounds);
        attacker.writer().beginFrame(FrameType.BATCH).varint(i + 1).varint(1).varint(i + 1);
        for (int b = 0; b <= bounds.length; b++) {
          attacker.writer().varint(b == 0 ? 1 : 0);
        }
        attacker.writer().f64(0.0005).endFrame();
        attacker.send();
        ServerFrame answer = attacker.read();
        if (answer instanceof ServerFrame.Error e) {
          assertEquals(ErrorCode.SERIES_BYTES_LIMIT, e.code(), e.message());
          assertTrue(e.message().contains("--max-series-bytes"), e.message());
          refused++;
          answer = attacker.read();
        }
        assertInstanceOf(ServerFrame.Ack.class, answer);
        if (i % 250 == 0) {
          good.add(++seq, 1, 1).sendAndAck(seq);
          assertEquals((double) seq, p.scrape().value("good_total"));
        }
      }
      Scrape s = p.scrape();
      System.out.printf("huge labels: %d of %d histograms accepted, %d refused; series text %.1f of %.1f MiB%n",
          series - refused, series, refused, s.value("pidless_series_bytes") / 1048576,
          s.value("pidless_series_bytes_limit") / 1048576);
      assertTrue(refused > 0 && refused < series, "some fit in the default budget, the rest do not: " + refused);
      assertEquals(refused, s.value("pidless_rejections_total{reason=\"series_bytes_limit\"}"));
      assertEquals(series - refused + 1, s.value("pidless_series"), "the good counter and every accepted histogram");
      assertEquals(refused, s.value("pidless_deltas_dropped_total{reason=\"rejected_series\"}"));
      assertTrue(s.value("pidless_series_bytes") <= s.value("pidless_series_bytes_limit"));
      good.add(++seq, 1, 1).sendAndAck(seq);
      assertEquals((double) seq, p.scrape().value("good_total"));
      assertEquals(0, p.stop(), p.output());
    }
  }

  /** A client that pipelines batches and never reads an ACK is closed once its answers pass the budget. */
  @Test
  @Timeout(90)
  void aClientThatNeverReadsItsAnswersIsClosedAtItsBudget() throws Exception {
    try (TempSocketDir dir = new TempSocketDir();
        AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket(),
            "--max-unread-bytes", "65536").deployed());
        TestClient good = new TestClient(dir.socket());
        TestClient deaf = new TestClient(dir.socket())) {
      good.hello();
      good.counter(1, "good_total").add(1, 1, 1).sendAndAck(1);
      deaf.hello();
      deaf.counter(1, "deaf_total");
      for (int seq = 1; seq <= 200_000; seq++) {
        deaf.add(seq, 1, 1);
      }
      try {
        deaf.send();
      } catch (IOException closed) {
        assertTrue(closed.getMessage().contains("Broken pipe") || closed.getMessage().contains("reset"), closed.toString());
      }
      Await.awaitValue("the deaf client closed as unread_answers", Duration.ofSeconds(20),
          () -> p.scrape().value("pidless_protocol_errors_total{code=\"unread_answers\"}"), v -> v > 0);
      good.add(2, 1, 2).sendAndAck(2);
      Scrape s = p.scrape();
      assertEquals(1.0, s.value("pidless_protocol_errors_total{code=\"unread_answers\"}"));
      assertEquals(3.0, s.value("good_total"));
      assertTrue(s.value("deaf_total") < 200_000, "closed before it had everything applied");
      assertEquals(0, p.stop(), p.output());
    }
  }

  /** Defines {@code n} ids of one series and sends a batch; the ERROR that came instead of its ACK, or null. */
  private static ServerFrame.Error bind(TestClient c, int n) throws IOException {
    for (int id = 1; id <= n; id++) {
      c.counter(id, "spam_total");
    }
    c.add(1, 1, 1).send();
    ServerFrame f = c.read();
    if (f instanceof ServerFrame.Error e) {
      return e;
    }
    assertInstanceOf(ServerFrame.Ack.class, f);
    return null;
  }
}
