package io.pidless.aggregator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.MetricType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SumSeriesTest {
  private static final Family COUNTER =
      new Family("c", "", MetricType.COUNTER, null, new String[0], new double[0]);

  private static SumSeries counter() {
    return (SumSeries) Series.create(SeriesKey.of(COUNTER, new String[0], new String[0]), COUNTER, 0);
  }

  private static DeltaBuffer ones(int n) {
    DeltaBuffer b = new DeltaBuffer();
    Definition d = new Definition(SeriesKey.of(COUNTER, new String[0], new String[0]), COUNTER, null);
    for (int i = 0; i < n; i++) {
      b.addValue(d, 1);
    }
    return b;
  }

  /**
   * Writers hammer one counter while another thread retires it mid-way, round after round: every
   * delta the counter took is in its final value, every one it refused went to the successor, as the
   * store re-routes them. Exactly: none lost, none twice.
   */
  @Test
  void deltasRacingRetireLandInTheOldSeriesOrTheNextNeverBoth() throws Exception {
    int writers = 3;
    int rounds = 200;
    int perRound = 2_000;
    DeltaBuffer batch = ones(perRound);
    CyclicBarrier go = new CyclicBarrier(writers + 1);
    SumSeries[] old = new SumSeries[1];
    SumSeries[] next = new SumSeries[1];
    AtomicLong merged = new AtomicLong();
    AtomicLong rerouted = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      threads.add(new Thread(() -> {
        try {
          for (int r = 0; r < rounds; r++) {
            go.await();
            long m = 0;
            long moved = 0;
            for (int i = 0; i < perRound; i++) {
              Series.Applied a = old[0].apply(batch, i, 1);
              if (a == Series.Applied.RETIRED) {
                assertEquals(Series.Applied.MERGED, next[0].apply(batch, i, 1));
                moved++;
              } else {
                assertEquals(Series.Applied.MERGED, a);
                m++;
              }
            }
            merged.addAndGet(m);
            rerouted.addAndGet(moved);
            go.await();
          }
        } catch (Throwable t) {
          errors.add(t);
        }
      }));
    }
    threads.forEach(Thread::start);
    long sent = 0;
    long retiredMidway = 0;
    double inOld = 0;
    double inNext = 0;
    for (int r = 0; r < rounds; r++) {
      old[0] = counter();
      next[0] = counter();
      go.await();
      for (int spin = 0; spin < r * 50; spin++) {
        Thread.onSpinWait();
      }
      SeriesSnapshot last = old[0].retire();
      go.await();
      sent += (long) writers * perRound;
      inOld += last.value();
      SeriesCopy copy = new SeriesCopy(1);
      next[0].copyTo(copy);
      inNext += copy.value(0);
      if (last.value() > 0 && last.value() < writers * perRound) {
        retiredMidway++;
      }
      SeriesCopy gone = new SeriesCopy(1);
      old[0].copyTo(gone);
      assertEquals(0, gone.size(), "a retired series shows nothing");
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(), List.copyOf(errors));
    assertEquals((double) merged.get(), inOld, "every delta the old series took is in its final value");
    assertEquals((double) rerouted.get(), inNext, "every delta it refused went to its successor");
    assertEquals((double) sent, inOld + inNext, "sent == applied + re-routed");
    assertTrue(retiredMidway > 0, "the retire must have landed inside the writes at least once");
  }

  @Test
  void aSumSaturatesAtTheLargestDoubleAndIsNeverTheRetiredMark() {
    SumSeries s = counter();
    DeltaBuffer b = new DeltaBuffer();
    b.addValue(new Definition(s, COUNTER, s), Double.MAX_VALUE);
    assertEquals(Series.Applied.MERGED, s.apply(b, 0, 1));
    assertEquals(Series.Applied.SATURATED, s.apply(b, 0, 1));
    assertEquals(Double.MAX_VALUE, s.retire().value());
    assertEquals(Series.Applied.RETIRED, s.apply(b, 0, 1));
    assertTrue(Double.isNaN(Double.longBitsToDouble(SumSeries.RETIRED)));
    assertTrue((SumSeries.RETIRED & 0x0008_0000_0000_0000L) == 0, "a signalling NaN: no arithmetic makes it");
  }
}
