package io.pidless.aggregator.remotewrite;

import com.google.protobuf.CodedOutputStream;
import io.pidless.aggregator.remotewrite.prompb.Remote.Label;
import io.pidless.aggregator.remotewrite.prompb.Remote.Sample;
import io.pidless.aggregator.remotewrite.prompb.Remote.TimeSeries;
import io.pidless.aggregator.remotewrite.prompb.Remote.WriteRequest;
import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.LabelText;
import io.pidless.aggregator.store.SeriesKey;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.prometheus.client.Collector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns merged series into the protobuf body of a remote_write request: the same samples a scrape of
 * {@code /metrics} in text format 0.0.4 yields ({@code _total}, {@code _bucket}, {@code _count},
 * {@code _sum}, and {@code _created} as a series of its own, since remote_write 1.0 has no field for
 * it), all at one timestamp, cumulative, so a request sent twice writes nothing twice. Labels are
 * sorted by name, {@code __name__} among them; an external label never overrides a series' own.
 *
 * <p>Each series is serialized as soon as it is built, straight into the output: a
 * {@code WriteRequest} is {@code repeated TimeSeries timeseries = 1}, and protobuf reads
 * concatenated messages as one, so no request object holding every series ever exists.
 *
 * <pre>{@code
 * WriteRequestEncoder enc = new WriteRequestEncoder(Map.of("node", "worker-17"));
 * WriteRequestEncoder.Body body = enc.samples(store.snapshot(), System.currentTimeMillis());
 * }</pre>
 */
final class WriteRequestEncoder {
  /** Prometheus' staleness marker: a NaN no arithmetic produces, which ends a series at once. */
  static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

  /** An encoded request body (uncompressed) and how many samples it holds. */
  record Body(byte[] bytes, int samples) {}

  private static final String NAME = "__name__";
  private static final String LE = "le";

  private final List<Label> external = new ArrayList<>();

  WriteRequestEncoder(Map<String, String> externalLabels) {
    externalLabels.forEach((n, v) -> external.add(Label.newBuilder().setName(n).setValue(v).build()));
    external.sort((a, b) -> a.getName().compareTo(b.getName()));
  }

  /** Every present series of {@code snapshots} (grouped by family, as the store returns them) at {@code ts}. */
  Body samples(List<SeriesSnapshot> snapshots, long ts) {
    return encode(snapshots, null, ts, false);
  }

  /** Staleness markers at {@code ts} for every sample of {@code expired}, except series in {@code back}. */
  Body staleMarkers(List<SeriesSnapshot> expired, Set<SeriesKey> back, long ts) {
    return encode(expired, back, ts, true);
  }

  private Body encode(List<SeriesSnapshot> series, Set<SeriesKey> skip, long ts, boolean stale) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, series.size() * 96));
    CodedOutputStream out = CodedOutputStream.newInstance(bytes, 1 << 16);
    FamilyNames names = null;
    int samples = 0;
    try {
      for (SeriesSnapshot s : series) {
        if ((!s.present() && !stale) || (skip != null && skip.contains(s.key()))) {
          continue;
        }
        if (names == null || names.family != s.family()) {
          names = new FamilyNames(s.family());
        }
        samples += new SeriesWriter(names, labels(s), ts, stale, out).write(s);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode remote write request in memory", e);
    }
    return new Body(bytes.toByteArray(), samples);
  }

  /** The series' own labels merged with the external ones, sorted by name. */
  private List<Label> labels(SeriesSnapshot s) {
    List<String> names = s.family().labelNames();
    String[] values = LabelText.values(s.key().labelText(), names.size());
    List<Label> out = new ArrayList<>(names.size() + external.size() + 2);
    int e = 0;
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      for (; e < external.size() && external.get(e).getName().compareTo(n) <= 0; e++) {
        if (!external.get(e).getName().equals(n)) {
          out.add(external.get(e));
        }
      }
      out.add(Label.newBuilder().setName(n).setValue(values[i]).build());
    }
    out.addAll(external.subList(e, external.size()));
    return out;
  }

  /** The {@code __name__} and {@code le} labels of one family, made once per family and request. */
  private static final class FamilyNames {
    final Family family;
    final Label total;
    final Label plain;
    final Label bucket;
    final Label count;
    final Label sum;
    final Label created;
    final Label[] le;

    FamilyNames(Family f) {
      family = f;
      String n = f.name();
      total = name(n + "_total");
      plain = name(n);
      bucket = name(n + "_bucket");
      count = name(n + "_count");
      sum = name(n + "_sum");
      created = name(n + "_created");
      double[] bounds = f.bounds();
      le = new Label[bounds.length + 1];
      for (int i = 0; i < le.length; i++) {
        String bound = i < bounds.length ? Collector.doubleToGoString(bounds[i]) : "+Inf";
        le[i] = Label.newBuilder().setName(LE).setValue(bound).build();
      }
    }

    private static Label name(String n) {
      return Label.newBuilder().setName(NAME).setValue(n).build();
    }
  }

  /** Writes the samples of one series, each with {@code labels} plus its name (and {@code le}). */
  private record SeriesWriter(FamilyNames names, List<Label> labels, long ts, boolean stale, CodedOutputStream out) {
    /** Writes every sample of {@code s}; returns how many. */
    int write(SeriesSnapshot s) throws IOException {
      return switch (s.family().type()) {
        case COUNTER -> sample(names.total, null, s.value()) + created(s);
        case GAUGE -> sample(names.plain, null, s.value());
        case HISTOGRAM -> {
          long[] cumulative = s.cumulativeBuckets();
          for (int i = 0; i < cumulative.length; i++) {
            sample(names.bucket, names.le[i], cumulative[i]);
          }
          yield cumulative.length + sample(names.count, null, s.count()) + sample(names.sum, null, s.sum())
              + created(s);
        }
        case SUMMARY -> sample(names.count, null, s.count()) + sample(names.sum, null, s.sum()) + created(s);
      };
    }

    private int created(SeriesSnapshot s) throws IOException {
      return sample(names.created, null, s.createdMillis() / 1000.0);
    }

    private int sample(Label name, Label le, double value) throws IOException {
      TimeSeries.Builder series = TimeSeries.newBuilder();
      boolean nameDone = false;
      boolean leDone = le == null;
      for (Label l : labels) {
        if (!nameDone && l.getName().compareTo(NAME) > 0) {
          series.addLabels(name);
          nameDone = true;
        }
        if (!leDone && l.getName().compareTo(LE) > 0) {
          series.addLabels(le);
          leDone = true;
        }
        series.addLabels(l);
      }
      if (!nameDone) {
        series.addLabels(name);
      }
      if (!leDone) {
        series.addLabels(le);
      }
      series.addSamples(Sample.newBuilder().setValue(stale ? STALE_NAN : value).setTimestamp(ts));
      out.writeMessage(WriteRequest.TIMESERIES_FIELD_NUMBER, series.build());
      return 1;
    }
  }
}
