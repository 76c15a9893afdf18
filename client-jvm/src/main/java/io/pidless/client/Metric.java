package io.pidless.client;

import io.pidless.protocol.GaugeMode;
import io.pidless.protocol.MetricType;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric and its labelled series, in the shape of simpleclient's {@code SimpleCollector}: build it,
 * register it with a {@link PidlessClient}, then update {@link #labels(String...)} children (or the
 * metric itself when it has no labels).
 *
 * <pre>{@code
 * Counter requests = Counter.build().name("requests_total").help("Requests.").labelNames("path")
 *     .register(client);
 * requests.labels("/api").inc();
 * }</pre>
 *
 * @param <C> the child type, one per label-value combination
 */
public abstract class Metric<C extends Series> {
  final Family family;
  private final ConcurrentHashMap<List<String>, C> children = new ConcurrentHashMap<>();
  private final C noLabelsChild;

  Metric(Family family) {
    this.family = family;
    this.noLabelsChild = family.labelNames.length == 0 ? labels() : null;
  }

  /** The metric name as given to the builder. */
  public String name() {
    return family.name;
  }

  /**
   * Returns the child for these label values, creating it on first use. Keep the child in a field
   * on hot paths: looking it up allocates.
   */
  public C labels(String... labelValues) {
    if (labelValues.length != family.labelNames.length) {
      throw new IllegalArgumentException("Incorrect number of labels for " + family.name + ": expected "
          + Arrays.toString(family.labelNames) + ", got " + Arrays.toString(labelValues));
    }
    for (String v : labelValues) {
      if (v == null) {
        throw new IllegalArgumentException("Label value cannot be null for " + family.name + ": "
            + Arrays.toString(labelValues));
      }
    }
    List<String> key = List.of(labelValues);
    C child = children.get(key);
    return child != null ? child : children.computeIfAbsent(key, k -> newChild(labelValues.clone()));
  }

  /** The child of a metric without labels. */
  final C noLabels() {
    if (noLabelsChild == null) {
      throw new IllegalStateException("Metric " + family.name + " has labels "
          + Arrays.toString(family.labelNames) + ": update it through labels(...)");
    }
    return noLabelsChild;
  }

  abstract C newChild(String[] labelValues);

  Collection<C> series() {
    return children.values();
  }

  /**
   * Options every metric type shares. Registering a definition equal to one already registered
   * returns the registered metric (Spark deserializes accumulators once per task); a different
   * definition under the same name is an {@link IllegalArgumentException}.
   */
  public abstract static class Builder<B extends Builder<B, M>, M extends Metric<?>> {
    String name;
    String help;
    String[] labelNames = new String[0];

    Builder() {}

    /** The metric name, checked against {@code [a-zA-Z_:][a-zA-Z0-9_:]*} at registration. */
    public B name(String name) {
      this.name = name;
      return self();
    }

    /** The help text; required, as in simpleclient. */
    public B help(String help) {
      this.help = help;
      return self();
    }

    public B labelNames(String... labelNames) {
      this.labelNames = labelNames.clone();
      return self();
    }

    /** Registers with {@link PidlessClient#defaultClient()}. */
    public M register() {
      return register(PidlessClient.defaultClient());
    }

    public M register(PidlessClient client) {
      return client.register(create());
    }

    abstract M create();

    final Family family(MetricType type, GaugeMode mode, double[] bounds) {
      return new Family(name, help, type, mode, labelNames, bounds);
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }
  }
}
