package io.pidless.aggregator.http;

import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.SeriesKey;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.protocol.MetricType;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the merged series straight into exposition text, in Prometheus text 0.0.4 or OpenMetrics,
 * the same lines simpleclient's {@code TextFormat} would write for them. Building a simpleclient
 * {@code Sample} per line costs more than the whole scrape may take at 100,000 series, so this path
 * skips it; the aggregator's own metrics still go through simpleclient.
 *
 * <pre>{@code
 * StringBuilder out = new StringBuilder();
 * SeriesTextWriter.write(store.snapshot(), false, null, out);
 * }</pre>
 */
final class SeriesTextWriter {
  private SeriesTextWriter() {}

  /**
   * Appends every present series, grouped by family. {@code names}, when not null, keeps only the
   * families that expose one of those sample names ({@code /metrics?name[]=...}).
   */
  static void write(List<SeriesSnapshot> snapshots, boolean openMetrics, Set<String> names, StringBuilder out) {
    Map<Family, List<SeriesSnapshot>> byFamily = new HashMap<>();
    out.ensureCapacity(out.length() + snapshots.size() * 96);
    for (SeriesSnapshot s : snapshots) {
      if (s.present()) {
        byFamily.computeIfAbsent(s.family(), f -> new ArrayList<>()).add(s);
      }
    }
    for (Map.Entry<Family, List<SeriesSnapshot>> e : byFamily.entrySet()) {
      Family f = e.getKey();
      if (names == null || exposesAny(f, names)) {
        new FamilyWriter(f, openMetrics, names, out).write(e.getValue());
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

  /** One family's lines; {@code names}, when not null, keeps only those sample names. */
  private record FamilyWriter(Family f, boolean om, Set<String> names, StringBuilder out) {
    void write(List<SeriesSnapshot> series) {
      String name = f.name();
      String type = f.type().name().toLowerCase(java.util.Locale.ROOT);
      boolean counter = f.type() == MetricType.COUNTER;
      boolean created = f.type() != MetricType.GAUGE;
      header(om || !counter ? name : name + "_total", type);
      for (SeriesSnapshot s : series) {
        switch (f.type()) {
          case COUNTER -> line("_total", s.key(), null, s.value());
          case GAUGE -> line("", s.key(), null, s.value());
          case HISTOGRAM -> {
            long[] cumulative = s.cumulativeBuckets();
            double[] bounds = f.bounds();
            for (int i = 0; i < cumulative.length; i++) {
              line("_bucket", s.key(), i < bounds.length ? Collector.doubleToGoString(bounds[i]) : "+Inf",
                  cumulative[i]);
            }
            line("_count", s.key(), null, s.count());
            line("_sum", s.key(), null, s.sum());
          }
          case SUMMARY -> {
            line("_count", s.key(), null, s.count());
            line("_sum", s.key(), null, s.sum());
          }
        }
        if (om && created) {
          created(s);
        }
      }
      if (!om && created && (names == null || names.contains(name + "_created"))) {
        header(name + "_created", "gauge");
        for (SeriesSnapshot s : series) {
          created(s);
        }
      }
    }

    private void header(String name, String type) {
      if (om) {
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append("# HELP ").append(name).append(' ');
        escape(f.help(), true, out);
      } else {
        out.append("# HELP ").append(name).append(' ');
        escape(f.help(), false, out);
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type);
      }
      out.append('\n');
    }

    private void line(String suffix, SeriesKey key, String le, double value) {
      if (begin(suffix, key, le)) {
        appendValue(value, out);
        out.append('\n');
      }
    }

    /** {@code name_created} in seconds with millisecond precision, written without a double. */
    private void created(SeriesSnapshot s) {
      if (begin("_created", s.key(), null)) {
        long ms = s.createdMillis();
        long frac = ms % 1000;
        out.append(ms / 1000).append(frac < 10 ? ".00" : frac < 100 ? ".0" : ".").append(frac).append('\n');
      }
    }

    /** Writes a sample's name, labels and the space before its value; false when filtered out. */
    private boolean begin(String suffix, SeriesKey key, String le) {
      if (names != null && !names.contains(f.name() + suffix)) {
        return false;
      }
      out.append(f.name()).append(suffix);
      int n = key.labelCount();
      if (n > 0 || le != null) {
        out.append('{');
        for (int i = 0; i < n; i++) {
          out.append(key.labelName(i)).append("=\"");
          escape(key.labelValue(i), true, out);
          out.append("\",");
        }
        if (le != null) {
          out.append("le=\"").append(le).append("\",");
        }
        out.setCharAt(out.length() - 1, '}');
      }
      out.append(' ');
      return true;
    }
  }

  /**
   * A sample value as Go's ParseFloat reads it. Whole numbers below 2^53, which counters and counts
   * nearly always are, skip {@link Double#toString}, the costliest step of a scrape.
   */
  static void appendValue(double v, StringBuilder out) {
    if (v == Math.rint(v) && Math.abs(v) < 9.007199254740992E15 && !(v == 0 && 1 / v < 0)) {
      out.append((long) v).append(".0");
    } else {
      out.append(Collector.doubleToGoString(v));
    }
  }

  /** Escapes backslash and newline, and the double quote where {@code quotes} (label values, OM help). */
  private static void escape(String s, boolean quotes, StringBuilder out) {
    if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0 && (!quotes || s.indexOf('"') < 0)) {
      out.append(s);
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '"' -> out.append(quotes ? "\\\"" : "\"");
        default -> out.append(c);
      }
    }
  }
}
