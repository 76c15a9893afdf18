package io.pidless.bench.ingest;

import java.util.Map;

/**
 * The benchmark's correctness check: a scraped value must equal exactly what the ACKs promise. A
 * mismatch is a {@link Mismatch}, which stops the benchmark with exit code 2: a fast aggregator
 * that loses or doubles deltas has no throughput worth reporting.
 *
 * <pre>{@code
 * Exactness.expect(samples, "bench_ingest_total{conn=\"0\",series=\"7\"}", 1234);
 * }</pre>
 */
final class Exactness {
  /** Scraped totals differ from the ACKed deltas. */
  static final class Mismatch extends IllegalStateException {
    Mismatch(String message) {
      super("EXACTNESS CHECK FAILED: " + message);
    }
  }

  private Exactness() {}

  static void expect(Map<String, Double> samples, String key, long expected) {
    Double v = samples.get(key);
    if (v == null) {
      throw new Mismatch("the scrape has no sample " + key + " (expected " + expected + ")");
    }
    if (v != (double) expected) {
      throw new Mismatch(key + " scraped " + v + ", but " + expected + " was ACKed");
    }
  }

  static void expectSum(Map<String, Double> samples, String name, long expected) {
    double sum = MetricsText.sum(samples, name);
    if (sum != (double) expected) {
      throw new Mismatch("the samples of " + name + " sum to " + sum + ", but " + expected + " deltas were ACKed");
    }
  }
}
