package io.pidless.aggregator.store;

import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.Names;
import io.pidless.protocol.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a definition must be before the store holds it (docs/PROTOCOL.md, "DEFINE"): a known type and,
 * for a gauge, a known mode; a valid metric name outside the reserved {@link Names#RESERVED_PREFIX};
 * names, help and label values within their lengths; at most {@code --max-labels} valid, distinct label
 * names; and finite, strictly increasing histogram bounds. Each broken rule is a
 * {@link DefinitionRejectedException} with the code the client is told. Kept apart from
 * {@link SeriesStore}, which only stores, so the rules are read and tested alone; the store asks
 * {@link #typeClash} when a definition meets a family its first definer fixed otherwise.
 *
 * <pre>{@code
 * DefinitionRules rules = new DefinitionRules(Limits.DEFAULTS);
 * Family f = rules.check(new DefineRequest(1, 0, "jobs_total", "Jobs", new String[0], new String[0], new double[0]));
 * f.name();   // "jobs": a counter's family is named without _total
 * }</pre>
 */
public final class DefinitionRules {
  private final Limits limits;

  public DefinitionRules(Limits limits) {
    this.limits = limits;
  }

  /** The family {@code r} defines, its label names sorted; thrown out when it breaks a rule. */
  public Family check(DefineRequest r) throws DefinitionRejectedException {
    MetricType type = r.metricType();
    if (type == null) {
      throw invalid("unknown metric type " + r.type() + " for " + r.name() + " (1 counter, 2 gauge, 3 histogram,"
          + " 4 summary)");
    }
    GaugeMode mode = r.gaugeMode();
    if (type == MetricType.GAUGE && mode == null) {
      throw invalid("unknown gauge mode " + r.mode() + " for " + r.name() + " (1..7, see docs/PROTOCOL.md)");
    } else if (type != MetricType.GAUGE && r.mode() != 0) {
      throw invalid("mode " + r.mode() + " given for " + r.name() + ", which is not a gauge (send 0)");
    }
    checkName(r.name());
    checkLength(r.help(), Protocol.MAX_HELP_BYTES, "help of " + r.name());
    String[] names = checkLabelNames(r, type);
    checkLabelValues(r.name(), r.labelValues());
    if (type == MetricType.HISTOGRAM) {
      checkBounds(r.name(), r.bounds());
    }
    return new Family(Names.familyName(r.name(), type), r.help(), type, mode, names, r.bounds());
  }

  /** Label values of one series of metric {@code name}: each within {@code --max-label-value-length}. */
  public void checkLabelValues(String name, String[] values) throws DefinitionRejectedException {
    for (String v : values) {
      checkLength(v, limits.maxLabelValueLength(), "label value on " + name);
    }
  }

  /**
   * The {@code TYPE_CLASH} of a definition {@code wanted} meeting the family {@code held} that an
   * earlier client defined otherwise; null when they agree.
   */
  static DefinitionRejectedException typeClash(Family held, Family wanted) {
    String clash = held.clashWith(wanted);
    return clash == null ? null : new DefinitionRejectedException(ErrorCode.TYPE_CLASH,
        "metric " + held.name() + " " + clash + " (defined so by an earlier client; the first definer wins)");
  }

  /** The {@code TYPE_CLASH} of a new family that would write the sample name another family writes. */
  static DefinitionRejectedException exposureClash(Family wanted, String name, Family other) {
    return new DefinitionRejectedException(ErrorCode.TYPE_CLASH, "metric " + wanted.name() + " would expose "
        + name + ", which " + other.describe() + " already exposes; rename one of them");
  }

  private void checkName(String name) throws DefinitionRejectedException {
    checkLength(name, limits.maxNameLength(), "metric name");
    if (!Names.isValidMetricName(name)) {
      throw new DefinitionRejectedException(ErrorCode.INVALID_NAME,
          "invalid metric name '" + name + "' (must match [a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    if (name.startsWith(Names.RESERVED_PREFIX)) {
      throw new DefinitionRejectedException(ErrorCode.INVALID_NAME, "metric name '" + name + "' is reserved: the"
          + " prefix " + Names.RESERVED_PREFIX + " belongs to the aggregator's own metrics");
    }
  }

  /** The label names, sorted, once each is valid and none appears twice. */
  private String[] checkLabelNames(DefineRequest r, MetricType type) throws DefinitionRejectedException {
    if (r.labelNames().length > limits.maxLabels()) {
      throw new DefinitionRejectedException(ErrorCode.LABEL_LIMIT, r.name() + " has " + r.labelNames().length
          + " labels, more than the limit of " + limits.maxLabels() + " (--max-labels)");
    }
    String[] names = r.labelNames().clone();
    Arrays.sort(names);
    for (int i = 0; i < names.length; i++) {
      checkLength(names[i], limits.maxNameLength(), "label name");
      if (!Names.isValidLabelName(names[i]) || names[i].equals(Names.reservedLabel(type))) {
        throw new DefinitionRejectedException(ErrorCode.INVALID_LABEL, "invalid label name '" + names[i] + "' on "
            + r.name() + " (must match [a-zA-Z_][a-zA-Z0-9_]*, not start with __, and not be le on a histogram"
            + " or quantile on a summary)");
      }
      if (i > 0 && names[i].equals(names[i - 1])) {
        throw new DefinitionRejectedException(ErrorCode.INVALID_LABEL,
            "label '" + names[i] + "' appears twice on " + r.name());
      }
    }
    return names;
  }

  private static void checkBounds(String name, double[] bounds) throws DefinitionRejectedException {
    for (int i = 0; i < bounds.length; i++) {
      if (!Double.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
        throw invalid("histogram " + name + " has bucket bounds " + Arrays.toString(bounds)
            + "; they must be finite and strictly increasing");
      }
    }
  }

  private static void checkLength(String s, int max, String what) throws DefinitionRejectedException {
    if (s.length() > max / 3 && s.getBytes(StandardCharsets.UTF_8).length > max) {
      throw new DefinitionRejectedException(ErrorCode.LENGTH_LIMIT,
          what + " is longer than " + max + " bytes: '" + s.substring(0, Math.min(s.length(), 40)) + "...'");
    }
  }

  private static DefinitionRejectedException invalid(String message) {
    return new DefinitionRejectedException(ErrorCode.INVALID_DEFINITION, message);
  }
}
