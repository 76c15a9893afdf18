package io.pidless.aggregator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScrapeQueueTest {
  private final HttpStats stats = new HttpStats();
  private final AtomicInteger renders = new AtomicInteger();
  private final List<String> answers = new CopyOnWriteArrayList<>();
  /** Counted down when a scrape begins to render: the queue's thread is then busy with it. */
  private final CountDownLatch rendering = new CountDownLatch(1);

  /** A scrape that records what it was answered; rendering waits for {@code gate}. */
  private final class FakeScrape implements ScrapeQueue.Scrape<String> {
    private final String name;
    private final String key;
    private final CountDownLatch gate;

    FakeScrape(String name, String key, CountDownLatch gate) {
      this.name = name;
      this.key = key;
      this.gate = gate;
    }

    @Override
    public Object key() {
      return key;
    }

    @Override
    public String render() throws InterruptedException {
      rendering.countDown();
      gate.await();
      return key + "#" + renders.incrementAndGet();
    }

    @Override
    public Runnable send(String body) {
      answers.add(name + "=" + body);
      return () -> { };
    }

    @Override
    public void fail(Exception e) {
      answers.add(name + " failed " + e);
    }

    @Override
    public void refuse(HttpStats.Reason reason) {
      answers.add(name + " refused " + reason.label());
    }
  }

  @Test
  void scrapesOfOneKindWaitingTogetherShareOneRender() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (ScrapeQueue<String> queue = new ScrapeQueue<>(1, Duration.ofSeconds(10), stats)) {
      queue.submit(new FakeScrape("first", "text", gate));
      awaitRendering();   // the only thread now renders "first" and waits at the gate
      queue.submit(new FakeScrape("a", "text", new CountDownLatch(0)));
      queue.submit(new FakeScrape("b", "gzip", new CountDownLatch(0)));
      queue.submit(new FakeScrape("c", "text", new CountDownLatch(0)));
      gate.countDown();
      awaitAnswers(4);
    }
    assertEquals(List.of("first=text#1", "a=text#2", "c=text#2", "b=gzip#3"), answers);
  }

  @Test
  void aScrapeThatWaitedLongerThanTheTimeoutIsRefusedAndCounted() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (ScrapeQueue<String> queue = new ScrapeQueue<>(1, Duration.ofMillis(200), stats)) {
      queue.submit(new FakeScrape("slow", "text", gate));
      awaitRendering();
      queue.submit(new FakeScrape("late", "gzip", new CountDownLatch(0)));
      Thread.sleep(400);   // "late" waits past the 200 ms timeout: the queue reads the system clock
      gate.countDown();
      awaitAnswers(2);
    }
    assertEquals(List.of("slow=text#1", "late refused scrape_queue_timeout"), answers);
    assertEquals(1, stats.refusals(HttpStats.Reason.SCRAPE_QUEUE_TIMEOUT));
  }

  @Test
  void aFullQueueRefusesAtOnce() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    try (ScrapeQueue<String> queue = new ScrapeQueue<>(1, Duration.ofSeconds(10), stats)) {
      queue.submit(new FakeScrape("busy", "text", gate));
      awaitRendering();
      for (int i = 0; i < ScrapeQueue.QUEUE_CAPACITY + 1; i++) {
        queue.submit(new FakeScrape("q" + i, "text", new CountDownLatch(0)));
      }
      assertEquals(List.of("q" + ScrapeQueue.QUEUE_CAPACITY + " refused scrape_queue_full"), answers);
      gate.countDown();
      awaitAnswers(ScrapeQueue.QUEUE_CAPACITY + 2);
    }
    assertEquals(1, stats.refusals(HttpStats.Reason.SCRAPE_QUEUE_FULL));
    assertEquals(2, renders.get(), "the waiting scrapes of one kind shared one render");
  }

  private void awaitRendering() throws InterruptedException {
    assertTrue(rendering.await(10, TimeUnit.SECONDS), "the queue's thread did not begin to render");
  }

  private void awaitAnswers(int n) throws InterruptedException {
    Await.awaitValue(n + " answers", () -> answers, a -> a.size() >= n);
  }
}
