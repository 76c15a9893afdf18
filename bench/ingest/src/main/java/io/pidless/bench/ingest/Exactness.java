package io.pidless.bench.ingest;

import io.pidless.testsupport.Scrape;

/**
 * The benchmark's correctness check: a scraped value must equal exactly what the ACKs promise. A
 * mismatch is a {@link Mismatch}, which stops the benchmark with exit code 2: a fast aggregator
 * that loses or doubles deltas has no throughput worth reporting.
 *
 * <pre>{@code
 * Exactness.expect(Scrape.parse(text), "bench_ingest_total{conn=\"0\",series=\"7\"}", 1234);
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

  static void expect(Scrape samples, String key, long expected) {
    if (!samples.has(key)) {
      throw new Mismatch("the scrape has no sample " + key + " (expected " + expected + ")");
    }
    double v = samples.value(key);
    if (v != (double) expected) {
      throw new Mismatch(key + " scraped " + v + ", but " + expected + " was ACKed");
    }
  }

  static void expectSum(Scrape samples, String name, long expected) {
    double sum = samples.series(name).values().stream().mapToDouble(Double::doubleValue).sum();
    if (sum != (double) expected) {
      throw new Mismatch("the samples of " + name + " sum to " + sum + ", but " + expected + " deltas were ACKed");
    }
  }
}
