package io.pidless.aggregator.http;

import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.SeriesSnapshot;
import io.pidless.aggregator.store.SeriesStore;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the store into metric families at scrape time, the way simpleclient_caffeine's
 * CacheMetricsCollector does: the live objects stay in the store, samples exist only per scrape.
 * Counters, histograms and summaries carry {@code _created}, so a series that expired and came back
 * reads as a reset.
 */
final class SeriesCollector extends Collector {
  private final SeriesStore store;
  private final ScrapeTimer timer;

  SeriesCollector(SeriesStore store, ScrapeTimer timer) {
    this.store = store;
    this.timer = timer;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    long start = System.nanoTime();
    List<SeriesSnapshot> snapshots = store.snapshot();
    Map<Family, FamilyBuilder> byFamily = new HashMap<>();
    for (SeriesSnapshot s : snapshots) {
      if (s.present()) {
        byFamily.computeIfAbsent(s.family(), FamilyBuilder::new).add(s);
      }
    }
    List<MetricFamilySamples> out = new ArrayList<>(byFamily.size());
    for (FamilyBuilder b : byFamily.values()) {
      out.add(b.build());
    }
    timer.observe(System.nanoTime() - start);
    return out;
  }

  /** Samples of one family, with the label name lists built once per family. */
  private static final class FamilyBuilder {
    private final Family family;
    private final List<String> labelNames;
    private final List<String> bucketLabelNames;
    private final String[] bucketLabels;
    private final List<MetricFamilySamples.Sample> samples = new ArrayList<>();

    FamilyBuilder(Family family) {
      this.family = family;
      this.labelNames = family.labelNames();
      List<String> withLe = new ArrayList<>(labelNames);
      withLe.add("le");
      this.bucketLabelNames = List.copyOf(withLe);
      double[] bounds = family.bounds();
      this.bucketLabels = new String[bounds.length + 1];
      for (int i = 0; i < bounds.length; i++) {
        bucketLabels[i] = Collector.doubleToGoString(bounds[i]);
      }
      bucketLabels[bounds.length] = "+Inf";
    }

    void add(SeriesSnapshot s) {
      String name = family.name();
      List<String> values = s.key().labelValues();
      double created = s.createdMillis() / 1000.0;
      switch (family.type()) {
        case COUNTER -> {
          sample(name + "_total", labelNames, values, s.value());
          sample(name + "_created", labelNames, values, created);
        }
        case GAUGE -> sample(name, labelNames, values, s.value());
        case HISTOGRAM -> {
          long[] cumulative = s.cumulativeBuckets();
          for (int i = 0; i < cumulative.length; i++) {
            List<String> withLe = new ArrayList<>(values.size() + 1);
            withLe.addAll(values);
            withLe.add(bucketLabels[i]);
            sample(name + "_bucket", bucketLabelNames, withLe, cumulative[i]);
          }
          sample(name + "_count", labelNames, values, s.count());
          sample(name + "_sum", labelNames, values, s.sum());
          sample(name + "_created", labelNames, values, created);
        }
        case SUMMARY -> {
          sample(name + "_count", labelNames, values, s.count());
          sample(name + "_sum", labelNames, values, s.sum());
          sample(name + "_created", labelNames, values, created);
        }
      }
    }

    private void sample(String name, List<String> names, List<String> values, double v) {
      samples.add(new MetricFamilySamples.Sample(name, names, values, v));
    }

    MetricFamilySamples build() {
      Type type = switch (family.type()) {
        case COUNTER -> Type.COUNTER;
        case GAUGE -> Type.GAUGE;
        case HISTOGRAM -> Type.HISTOGRAM;
        case SUMMARY -> Type.SUMMARY;
      };
      return new MetricFamilySamples(family.name(), type, family.help(), samples);
    }
  }
}
