package io.pidless.aggregator.store;

/**
 * Sums that stop at their type's bound instead of wrapping or reaching infinity: a count at
 * {@code 2^63-1}, an {@code f64} at ±{@link Double#MAX_VALUE}. Every delta the store adds this way is
 * valid on its own (counts {@code >= 0}, sums finite), so only the running total can overflow;
 * docs/PROTOCOL.md, "Saturation", says what a client sees.
 *
 * <pre>{@code
 * Saturating.add(Long.MAX_VALUE - 1, 5);        // Long.MAX_VALUE, not negative
 * Saturating.add(Double.MAX_VALUE, 1e308);      // Double.MAX_VALUE, not +Inf
 * }</pre>
 */
final class Saturating {
  private Saturating() {}

  /** {@code total + inc} for {@code inc >= 0}, at most {@code Long.MAX_VALUE}. */
  static long add(long total, long inc) {
    long sum = total + inc;
    return sum < total ? Long.MAX_VALUE : sum;
  }

  /** {@code total + inc} for finite {@code inc}, within ±{@code Double.MAX_VALUE}. */
  static double add(double total, double inc) {
    double sum = total + inc;
    return Double.isInfinite(sum) ? Math.copySign(Double.MAX_VALUE, sum) : sum;
  }

  static boolean overflows(long total, long inc) {
    return total + inc < total;
  }

  static boolean overflows(double total, double inc) {
    return Double.isInfinite(total + inc);
  }
}
