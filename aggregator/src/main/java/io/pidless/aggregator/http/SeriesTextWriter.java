package io.pidless.aggregator.http;

import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.LabelText;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.protocol.MetricType;
import io.prometheus.client.Collector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes the merged series straight into exposition text, in Prometheus text 0.0.4 or OpenMetrics,
 * the same lines simpleclient's {@code TextFormat} would write for them. Building a simpleclient
 * {@code Sample} per line costs more than the whole scrape may take at 100,000 series, so this path
 * skips it; the aggregator's own metrics still go through simpleclient. Per line it copies bytes
 * prepared beforehand: the sample name once per family and scrape, the label set once per series
 * ({@link io.pidless.aggregator.store.SeriesKey#labelText}).
 *
 * <pre>{@code
 * TextBuffer out = new TextBuffer(64 * 1024);
 * SeriesTextWriter.write(store.snapshot(), false, null, out);
 * }</pre>
 */
final class SeriesTextWriter {
  private SeriesTextWriter() {}

  /**
   * Appends every present series. {@code snapshots} must hold each family's series next to each
   * other, as {@link io.pidless.aggregator.store.SeriesStore#snapshot()} returns them. {@code names},
   * when not null, keeps only the families that expose one of those sample names
   * ({@code /metrics?name[]=...}).
   */
  static void write(List<SeriesSnapshot> snapshots, boolean openMetrics, Set<String> names, TextBuffer out) {
    write(snapshots, openMetrics, names, out, new TextBuffer(4096));
  }

  /** As above, with {@code spare} (emptied first) for text 0.0.4's {@code _created} lines, to reuse it. */
  static void write(List<SeriesSnapshot> snapshots, boolean openMetrics, Set<String> names, TextBuffer out,
      TextBuffer spare) {
    List<SeriesSnapshot> present = new ArrayList<>();
    spare.clear();
    TextBuffer created = openMetrics ? out : spare;
    for (int i = 0; i < snapshots.size(); i++) {
      SeriesSnapshot s = snapshots.get(i);
      if (s.present()) {
        present.add(s);
      }
      if (i + 1 == snapshots.size() || snapshots.get(i + 1).family() != s.family()) {
        Family f = s.family();
        if (!present.isEmpty() && (names == null || exposesAny(f, names))) {
          new FamilyWriter(f, openMetrics, names, out, created).write(present);
        }
        present.clear();
      }
    }
  }

  private static boolean exposesAny(Family f, Set<String> names) {
    String n = f.name();
    return switch (f.type()) {
      case COUNTER -> names.contains(n + "_total") || names.contains(n + "_created");
      case GAUGE -> names.contains(n);
      case HISTOGRAM -> names.contains(n + "_bucket") || names.contains(n + "_count") || names.contains(n + "_sum")
          || names.contains(n + "_created");
      case SUMMARY -> names.contains(n + "_count") || names.contains(n + "_sum") || names.contains(n + "_created");
    };
  }

  /**
   * One family's lines; {@code names}, when not null, keeps only those sample names. Text 0.0.4 puts
   * {@code _created} in a family of its own after the samples; its lines are written into
   * {@code created} in the same pass as the samples, while the series' labels are still in the CPU
   * cache, and appended after; one such buffer serves every family of a scrape. OpenMetrics
   * interleaves them, so there {@code created} is {@code out}.
   */
  private record FamilyWriter(Family f, boolean om, Set<String> names, TextBuffer out, TextBuffer created) {
    void write(List<SeriesSnapshot> series) {
      String name = f.name();
      String type = f.type().name().toLowerCase(java.util.Locale.ROOT);
      header(om || f.type() != MetricType.COUNTER ? name : name + "_total", type);
      byte[] createdName = f.type() == MetricType.GAUGE ? null : sampleName("_created");
      switch (f.type()) {
        case COUNTER -> values(series, sampleName("_total"), createdName);
        case GAUGE -> values(series, sampleName(""), null);
        case HISTOGRAM -> histograms(series, createdName);
        case SUMMARY -> summaries(series, createdName);
      }
      if (!om && createdName != null) {
        header(name + "_created", "gauge");
        out.append(created);
        created.clear();
      }
    }

    private void values(List<SeriesSnapshot> series, byte[] sample, byte[] createdName) {
      for (SeriesSnapshot s : series) {
        line(sample, s, null, s.value());
        created(createdName, s);
      }
    }

    private void histograms(List<SeriesSnapshot> series, byte[] createdName) {
      byte[] bucket = sampleName("_bucket");
      byte[] count = sampleName("_count");
      byte[] sum = sampleName("_sum");
      double[] bounds = f.bounds();
      byte[][] le = new byte[bounds.length + 1][];
      for (int i = 0; i < le.length; i++) {
        String bound = i < bounds.length ? Collector.doubleToGoString(bounds[i]) : "+Inf";
        le[i] = ("le=\"" + bound + "\"}").getBytes(StandardCharsets.US_ASCII);
      }
      for (SeriesSnapshot s : series) {
        long[] cumulative = s.cumulativeBuckets();
        for (int i = 0; i < cumulative.length; i++) {
          line(bucket, s, le[i], cumulative[i]);
        }
        line(count, s, null, s.count());
        line(sum, s, null, s.sum());
        created(createdName, s);
      }
    }

    private void summaries(List<SeriesSnapshot> series, byte[] createdName) {
      byte[] count = sampleName("_count");
      byte[] sum = sampleName("_sum");
      for (SeriesSnapshot s : series) {
        line(count, s, null, s.count());
        line(sum, s, null, s.sum());
        created(createdName, s);
      }
    }

    /** The name of one kind of sample of this family, or null when {@code names} filters it out. */
    private byte[] sampleName(String suffix) {
      String sample = f.name() + suffix;
      return names == null || names.contains(sample) ? sample.getBytes(StandardCharsets.US_ASCII) : null;
    }

    private void header(String name, String type) {
      StringBuilder help = new StringBuilder();
      LabelText.escape(f.help(), om, help);
      if (om) {
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append("# HELP ").append(name).append(' ').append(help.toString());
      } else {
        out.append("# HELP ").append(name).append(' ').append(help.toString());
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type);
      }
      out.append('\n');
    }

    /**
     * One sample line; nothing when {@code sample} is null (filtered out). {@code le}, for a bucket,
     * is its {@code le="..."}} ending, added to the series' own labels.
     */
    private void line(byte[] sample, SeriesSnapshot s, byte[] le, double value) {
      if (sample != null) {
        begin(out, sample, s, le);
        out.appendValue(value).append('\n');
      }
    }

    /**
     * {@code name_created} in seconds with millisecond precision, written without a double; nothing
     * when {@code createdName} is null (a gauge, or filtered out).
     */
    private void created(byte[] createdName, SeriesSnapshot s) {
      if (createdName != null) {
        begin(created, createdName, s, null);
        long ms = s.createdMillis();
        long frac = ms % 1000;
        created.append(ms / 1000).append('.').append((char) ('0' + frac / 100)).append((char) ('0' + frac / 10 % 10))
            .append((char) ('0' + frac % 10)).append('\n');
      }
    }

    /** A sample's name, labels and the space before its value. */
    private static void begin(TextBuffer to, byte[] sample, SeriesSnapshot s, byte[] le) {
      to.append(sample);
      byte[] labels = s.key().labelText();
      if (le == null) {
        to.append(labels);
      } else if (labels.length == 0) {
        to.append('{').append(le);
      } else {
        to.append(labels, 0, labels.length - 1).append(',').append(le);
      }
      to.append(' ');
    }
  }
}
