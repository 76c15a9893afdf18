package io.pidless.aggregator.http;

import io.pidless.aggregator.remotewrite.RemoteWriteStats;
import io.pidless.aggregator.remotewrite.RemoteWriteStats.Failure;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.List;

/**
 * Remote_write's health per endpoint, under {@code pidless_remote_write_}: what was delivered, what
 * failed and why, when the last push got through, and what waits. A collector of its own, apart
 * from {@link SelfMetricsCollector}, because it exists only with {@code --remote-write-url}.
 */
final class RemoteWriteCollector extends Collector {
  private static final List<String> URL = List.of("url");

  private final List<RemoteWriteStats> endpoints;

  RemoteWriteCollector(List<RemoteWriteStats> endpoints) {
    this.endpoints = endpoints;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    CounterMetricFamily sent = new CounterMetricFamily("pidless_remote_write_samples_sent",
        "Samples in remote_write pushes the receiver accepted.", URL);
    CounterMetricFamily bytes = new CounterMetricFamily("pidless_remote_write_bytes_sent",
        "Compressed bytes of remote_write pushes the receiver accepted.", URL);
    CounterMetricFamily failures = new CounterMetricFamily("pidless_remote_write_failures",
        "Remote_write push attempts that failed, by reason: rejected (4xx, dropped), throttled (429),"
            + " server_error (5xx) and network (no answer); all but rejected are retried.", List.of("url", "reason"));
    GaugeMetricFamily last = new GaugeMetricFamily("pidless_remote_write_last_success_timestamp_seconds",
        "When a remote_write push was last accepted (Unix time); 0 before the first.", URL);
    GaugeMetricFamily pending = new GaugeMetricFamily("pidless_remote_write_pending_samples",
        "Samples in the remote_write push waiting to be delivered (the queue); 0 when all got through.", URL);
    for (RemoteWriteStats e : endpoints) {
      List<String> url = List.of(e.endpoint());
      sent.addMetric(url, e.samplesSent());
      bytes.addMetric(url, e.bytesSent());
      for (Failure f : Failure.values()) {
        failures.addMetric(List.of(e.endpoint(), f.label()), e.failures(f));
      }
      last.addMetric(url, e.lastSuccessMillis() / 1000.0);
      pending.addMetric(url, e.pendingSamples());
    }
    return List.of(sent, bytes, failures, last, pending);
  }
}
