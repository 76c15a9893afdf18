package io.pidless.aggregator.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.remotewrite.prompb.Remote.Label;
import io.pidless.aggregator.remotewrite.prompb.Remote.TimeSeries;
import io.pidless.aggregator.remotewrite.prompb.Remote.WriteRequest;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.MetricType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class WriteRequestEncoderTest {
  private static final long TS = 1_700_000_000_123L;

  private static SeriesStore store(int counters) throws Exception {
    SeriesStore store = SeriesStore.builder().clock(Clock.fixed(Instant.ofEpochMilli(1_600_000_000_500L),
        ZoneOffset.UTC)).build();
    DeltaBuffer b = new DeltaBuffer();
    for (int i = 0; i < counters; i++) {
      b.addValue(store.define(new DefineRequest(MetricType.COUNTER.code(), 0, "rows_total", "Rows",
          new String[] {"stage", "Upper", "_x"}, new String[] {"s" + i, "u", "x\"y"}, new double[0])), i + 0.5);
    }
    store.apply(b, 1, new ArrayList<>());
    return store;
  }

  private static String labels(TimeSeries ts) {
    return ts.getLabelsList().stream().map(l -> l.getName() + "=" + l.getValue()).collect(Collectors.joining(","));
  }

  @Test
  void labelsAreSortedWithNameAndExternalLabelsAndTheSeriesOwnWins() throws Exception {
    WriteRequestEncoder enc = new WriteRequestEncoder(Map.of("node", "n1", "stage", "ignored", "A", "a"));
    WriteRequestEncoder.Body body = enc.samples(store(1).snapshot(), TS);
    WriteRequest r = WriteRequest.parseFrom(body.bytes());
    assertEquals(2, body.samples());
    assertEquals(2, r.getTimeseriesCount());
    assertEquals("A=a,Upper=u,__name__=rows_total,_x=x\"y,node=n1,stage=s0", labels(r.getTimeseries(0)));
    assertEquals(0.5, r.getTimeseries(0).getSamples(0).getValue());
    assertEquals(TS, r.getTimeseries(0).getSamples(0).getTimestamp());
    assertEquals("A=a,Upper=u,__name__=rows_created,_x=x\"y,node=n1,stage=s0", labels(r.getTimeseries(1)));
    assertEquals(1_600_000_000.5, r.getTimeseries(1).getSamples(0).getValue());
  }

  @Test
  void staleMarkersAreThePrometheusNaNAndSkipSeriesThatCameBack() throws Exception {
    WriteRequestEncoder enc = new WriteRequestEncoder(Map.of());
    List<SeriesSnapshot> expired = store(2).snapshot();
    WriteRequestEncoder.Body body = enc.staleMarkers(expired, Set.of(expired.get(1).key()), TS);
    WriteRequest r = WriteRequest.parseFrom(body.bytes());
    assertEquals(2, r.getTimeseriesCount(), "_total and _created of the one series still gone");
    for (TimeSeries ts : r.getTimeseriesList()) {
      assertEquals(0x7ff0000000000002L, Double.doubleToRawLongBits(ts.getSamples(0).getValue()));
    }
  }

  @Test
  void requestsOfSeveralMegabytesCompressToATenthAndDecodeBack() throws Exception {
    WriteRequestEncoder.Body body = new WriteRequestEncoder(Map.of("node", "n1")).samples(store(30_000).snapshot(), TS);
    assertTrue(body.bytes().length > 3_000_000, "well past snappy's 64 KiB blocks: " + body.bytes().length);
    byte[] compressed = SnappyBlock.compress(body.bytes());
    assertTrue(compressed.length < body.bytes().length / 5, "compresses: " + compressed.length);
    WriteRequest r = WriteRequest.parseFrom(Snappy.uncompress(compressed));
    assertEquals(60_000, r.getTimeseriesCount());
    Label last = r.getTimeseries(59_999).getLabels(4);
    assertEquals("stage", last.getName());
  }
}
