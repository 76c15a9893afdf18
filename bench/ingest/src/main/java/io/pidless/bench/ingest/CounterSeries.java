package io.pidless.bench.ingest;

/**
 * A numbered set of counter series: series {@code n} is {@code <name>{conn="<conn>",series="<n>"}},
 * optionally spread over several metric names. Tells the load what to define and the check what to
 * look for in the scrape.
 *
 * <pre>{@code
 * CounterSeries s = CounterSeries.of("bench_ingest_total", 3);
 * s.name(7);                 // "bench_ingest_total"
 * s.labelValues(7);          // ["3", "7"]
 * s.sampleKey(7);            // bench_ingest_total{conn="3",series="7"}
 * }</pre>
 */
record CounterSeries(String baseName, int families, String conn) {
  private static final String[] LABELS = {"conn", "series"};

  /** All series under one metric name. */
  static CounterSeries of(String name, int conn) {
    return new CounterSeries(name, 1, Integer.toString(conn));
  }

  /** Series {@code n} goes to family {@code n % families}: {@code <base>_f<k>_total}. */
  static CounterSeries spread(String base, int families, int conn) {
    return new CounterSeries(base, families, Integer.toString(conn));
  }

  String name(int n) {
    return families == 1 ? baseName : baseName + "_f" + (n % families) + "_total";
  }

  String[] labelNames() {
    return LABELS;
  }

  String[] labelValues(int n) {
    return new String[] {conn, Integer.toString(n)};
  }

  /** The sample as the text exposition writes it (counters exposed with {@code _total}). */
  String sampleKey(int n) {
    String name = name(n);
    String exposed = name.endsWith("_total") ? name : name + "_total";
    return exposed + "{conn=\"" + conn + "\",series=\"" + n + "\"}";
  }
}
