package io.pidless.aggregator.http;

import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.LabelText;
import io.pidless.aggregator.store.SeriesCopy;
import io.pidless.protocol.MetricType;
import io.prometheus.client.Collector;
import java.nio.charset.StandardCharsets;
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
 * SeriesCopy copy = new SeriesCopy();
 * store.copy(copy);
 * SeriesTextWriter.write(copy, false, null, out);
 * }</pre>
 */
final class SeriesTextWriter {
  private SeriesTextWriter() {}

  /**
   * Appends every present series of {@code copy}, which holds each family's series next to each
   * other, as {@link io.pidless.aggregator.store.SeriesStore#copy} fills it. {@code names}, when not
   * null, keeps only the families that expose one of those sample names ({@code /metrics?name[]=...}).
   */
  static void write(SeriesCopy copy, boolean openMetrics, Set<String> names, TextBuffer out) {
    Seconds seconds = new Seconds();
    int from = 0;
    while (from < copy.size()) {
      Family f = copy.family(from);
      int to = from + 1;
      boolean present = copy.present(from);
      while (to < copy.size() && copy.family(to) == f) {
        present |= copy.present(to);
        to++;
      }
      if (present && (names == null || exposesAny(f, names))) {
        new FamilyWriter(f, openMetrics, names, out, copy, seconds).write(from, to);
      }
      from = to;
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
   * {@code _created} in a family of its own after the samples, written by a second pass over the
   * family's series (keeping them aside in the first pass held a buffer as large as the family's
   * text, which a streamed scrape no longer has); OpenMetrics interleaves them.
   */
  private record FamilyWriter(Family f, boolean om, Set<String> names, TextBuffer out, SeriesCopy copy,
      Seconds seconds) {
    /** Series {@code from} to {@code to} (exclusive) of the copy, all of this family. */
    void write(int from, int to) {
      String name = f.name();
      String type = f.type().name().toLowerCase(java.util.Locale.ROOT);
      header(om || f.type() != MetricType.COUNTER ? name : name + "_total", type);
      byte[] createdName = f.type() == MetricType.GAUGE ? null : sampleName("_created");
      byte[] interleaved = om ? createdName : null;
      switch (f.type()) {
        case COUNTER -> values(from, to, sampleName("_total"), interleaved);
        case GAUGE -> values(from, to, sampleName(""), null);
        case HISTOGRAM -> histograms(from, to, interleaved);
        case SUMMARY -> summaries(from, to, interleaved);
      }
      if (!om && createdName != null) {
        header(name + "_created", "gauge");
        for (int i = from; i < to; i++) {
          if (copy.present(i)) {
            created(createdName, i);
          }
        }
      }
    }

    private void values(int from, int to, byte[] sample, byte[] createdName) {
      for (int i = from; i < to; i++) {
        if (copy.present(i)) {
          line(sample, i, null, copy.value(i));
          created(createdName, i);
        }
      }
    }

    private void histograms(int from, int to, byte[] createdName) {
      byte[] bucket = sampleName("_bucket");
      byte[] count = sampleName("_count");
      byte[] sum = sampleName("_sum");
      double[] bounds = f.bounds();
      byte[][] le = new byte[bounds.length + 1][];
      for (int i = 0; i < le.length; i++) {
        String bound = i < bounds.length ? Collector.doubleToGoString(bounds[i]) : "+Inf";
        le[i] = ("le=\"" + bound + "\"}").getBytes(StandardCharsets.US_ASCII);
      }
      for (int i = from; i < to; i++) {
        for (int b = 0; b < le.length; b++) {
          line(bucket, i, le[b], copy.cumulativeBucket(i, b));
        }
        line(count, i, null, copy.count(i));
        line(sum, i, null, copy.sum(i));
        created(createdName, i);
      }
    }

    private void summaries(int from, int to, byte[] createdName) {
      byte[] count = sampleName("_count");
      byte[] sum = sampleName("_sum");
      for (int i = from; i < to; i++) {
        line(count, i, null, copy.count(i));
        line(sum, i, null, copy.sum(i));
        created(createdName, i);
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
    private void line(byte[] sample, int i, byte[] le, double value) {
      if (sample != null) {
        begin(out, sample, copy.key(i).labelText(), le);
        out.appendValue(value).append('\n');
      }
    }

    /**
     * {@code name_created} in seconds with millisecond precision, written without a double; nothing
     * when {@code createdName} is null (a gauge, or filtered out).
     */
    private void created(byte[] createdName, int i) {
      if (createdName != null) {
        begin(out, createdName, copy.key(i).labelText(), null);
        seconds.appendLine(out, copy.createdMillis(i));
      }
    }

    /** A sample's name, labels and the space before its value. */
    private static void begin(TextBuffer to, byte[] sample, byte[] labels, byte[] le) {
      to.append(sample);
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

  /**
   * A {@code _created} value, seconds with millisecond precision and the line's end, written without
   * a double and kept for the next series: series defined together, next to each other in a family,
   * mostly share their millisecond, and formatting it was a tenth of a scrape's text.
   */
  private static final class Seconds {
    private final TextBuffer text = new TextBuffer(32);
    private long millis = Long.MIN_VALUE;

    void appendLine(TextBuffer out, long ms) {
      if (ms != millis) {
        millis = ms;
        long frac = ms % 1000;
        text.clear();
        text.append(ms / 1000).append('.').append((char) ('0' + frac / 100)).append((char) ('0' + frac / 10 % 10))
            .append((char) ('0' + frac % 10)).append('\n');
      }
      out.append(text);
    }
  }
}
