package io.pidless.aggregator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.DefinitionRejectedException;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.time.Duration;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of {@link BatchDecoder} (Jazzer) against a connection's table of one series
 * of each type, one rejected series and one of unknown type. Any payload decodes or throws a
 * {@link ProtocolException} or Netty's {@link IndexOutOfBoundsException}, with no count beyond what
 * the payload holds; a batch encoded from fuzzed deltas decodes to the same sequence number and
 * delta count, applied or dropped, valid exactly when every value was.
 */
class BatchDecoderFuzzTest {
  private static final int COUNTER = 1;
  private static final int GAUGE_SUM = 2;
  private static final int HISTOGRAM = 3;
  private static final int SUMMARY = 4;
  private static final int REJECTED = 5;
  private static final int UNKNOWN_TYPE = 6;
  private static final double[] BOUNDS = {0.5, 1};

  private final SeriesTable table = table();
  private final BatchDecoder decoder = new BatchDecoder();

  private static SeriesTable table() {
    SeriesStore store = SeriesStore.builder().ttl(Duration.ofMinutes(10)).limits(Limits.DEFAULTS).build();
    SeriesTable t = new SeriesTable(16, new Budget(16));
    try {
      t.put(COUNTER, new SeriesTable.Slot(MetricType.COUNTER, null, 1, store.define(request(MetricType.COUNTER,
          0, "c_total", new double[0]))));
      t.put(GAUGE_SUM, new SeriesTable.Slot(MetricType.GAUGE, GaugeMode.SUM, 1, store.define(
          request(MetricType.GAUGE, GaugeMode.SUM.code(), "g", new double[0]))));
      t.put(HISTOGRAM, new SeriesTable.Slot(MetricType.HISTOGRAM, null, BOUNDS.length + 1, store.define(
          request(MetricType.HISTOGRAM, 0, "h", BOUNDS))));
      t.put(SUMMARY, new SeriesTable.Slot(MetricType.SUMMARY, null, 1, store.define(
          request(MetricType.SUMMARY, 0, "s", new double[0]))));
    } catch (DefinitionRejectedException e) {
      throw new AssertionError(e);
    }
    t.put(REJECTED, new SeriesTable.Slot(MetricType.COUNTER, null, 1, null));
    t.put(UNKNOWN_TYPE, new SeriesTable.Slot(null, null, 1, null));
    return t;
  }

  private static DefineRequest request(MetricType type, int mode, String name, double[] bounds) {
    return new DefineRequest(type.code(), mode, name, "help", new String[0], new String[0], bounds);
  }

  @FuzzTest(maxDuration = "6s")
  void anyPayloadDecodesOrIsRefused(byte[] payload) {
    try {
      decoder.decode(Unpooled.wrappedBuffer(payload), table);
    } catch (ProtocolException | IndexOutOfBoundsException e) {
      return;
    }
    assertTrue(decoder.seq() >= 1);
    assertTrue(decoder.count() >= 1 && decoder.count() * 2 <= payload.length, "count " + decoder.count());
    assertEquals(decoder.count(), decoder.deltas().size() + decoder.dropped(), "each delta applied or dropped");
  }

  @FuzzTest(maxDuration = "6s")
  void encodedDeltasDecodeToTheSameBatch(FuzzedDataProvider data) {
    long seq = data.consumeLong(1, Long.MAX_VALUE);
    int count = data.consumeInt(1, 32);
    boolean valid = true;
    int dropped = 0;
    FrameWriter w = new FrameWriter();
    w.beginFrame(FrameType.BATCH).varint(seq).varint(count);
    for (int i = 0; i < count; i++) {
      int id = data.pickValue(new int[] {COUNTER, GAUGE_SUM, HISTOGRAM, SUMMARY, REJECTED});
      w.varint(id);
      switch (id) {
        case COUNTER, REJECTED -> {
          double v = data.consumeDouble();
          valid &= v >= 0 && v != Double.POSITIVE_INFINITY;
          dropped += id == REJECTED ? 1 : 0;
          w.f64(v);
        }
        case GAUGE_SUM -> {
          double v = data.consumeDouble();
          valid &= Double.isFinite(v);
          w.f64(v);
        }
        case HISTOGRAM -> {
          for (int b = 0; b <= BOUNDS.length; b++) {
            w.varint(data.consumeLong() & Long.MAX_VALUE);
          }
          double sum = data.consumeDouble();
          valid &= Double.isFinite(sum);
          w.f64(sum);
        }
        default -> {
          w.varint(data.consumeLong() & Long.MAX_VALUE);
          double sum = data.consumeDouble();
          valid &= Double.isFinite(sum);
          w.f64(sum);
        }
      }
    }
    w.endFrame();
    byte[] frame = w.toByteArray();
    decoder.decode(Unpooled.wrappedBuffer(Arrays.copyOfRange(frame, 5, frame.length)), table);
    assertEquals(seq, decoder.seq());
    assertEquals(count, decoder.count());
    assertEquals(dropped, decoder.dropped());
    assertEquals(count - dropped, decoder.deltas().size());
    if (valid) {
      assertNull(decoder.invalid());
    } else {
      assertNotNull(decoder.invalid());
    }
  }
}
