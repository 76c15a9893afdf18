package io.pidless.aggregator.http;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesStore;
import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.MetricType;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.SummaryMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The aggregator's own health, all under the {@code pidless_} prefix: connections, frames, deltas,
 * acknowledgements, protocol errors, rejections, series and scrape time.
 */
final class SelfMetricsCollector extends Collector {
  private final AggregatorStats stats;
  private final SeriesStore store;
  private final SessionRegistry sessions;
  private final HttpStats http;
  private final ScrapeTimer timer;
  private final Budget ids;
  private final MetricsServer.Settings settings;

  SelfMetricsCollector(AggregatorStats stats, HttpStats http, SeriesStore store, SessionRegistry sessions,
      Budget ids, ScrapeTimer timer, MetricsServer.Settings settings) {
    this.stats = stats;
    this.http = http;
    this.store = store;
    this.sessions = sessions;
    this.ids = ids;
    this.timer = timer;
    this.settings = settings;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    List<MetricFamilySamples> out = new ArrayList<>();
    out.add(gauge("pidless_connections_open", "Client connections open now.", stats.connectionsOpen.get()));
    out.add(gauge("pidless_connections_limit", "Most client connections allowed at once (--max-connections).",
        settings.maxConnections()));
    CounterMetricFamily closed = new CounterMetricFamily("pidless_connections_closed",
        "Client connections the aggregator closed or refused to keep others served where no ERROR code says"
        + " why: idle_timeout (closed without an ERROR), uid_connection_limit (the CONNECTION_LIMIT errors due"
        + " to --max-connections-per-uid).", List.of("reason"));
    for (AggregatorStats.Closed reason : AggregatorStats.Closed.values()) {
      closed.addMetric(List.of(reason.label()), stats.closedCount(reason));
    }
    out.add(closed);
    out.add(counter("pidless_connections", "Client connections accepted.", stats.connectionsTotal.sum()));
    CounterMetricFamily frames = new CounterMetricFamily("pidless_frames_received",
        "Frames received from clients, by frame type.", List.of("type"));
    for (FrameType t : List.of(FrameType.HELLO, FrameType.DEFINE, FrameType.BATCH)) {
      frames.addMetric(List.of(t.name().toLowerCase(Locale.ROOT)), stats.framesReceived(t));
    }
    out.add(frames);
    out.add(counter("pidless_bytes_received", "Bytes of frames received from clients.", stats.bytesReceived.sum()));
    out.add(counter("pidless_deltas_received",
        "Deltas in applied batches, those dropped for a rejected series included.", stats.deltasReceived.sum()));
    CounterMetricFamily acks = new CounterMetricFamily("pidless_acks_sent",
        "Batches acknowledged: applied now, or already settled earlier (a re-send, not applied again).",
        List.of("outcome"));
    acks.addMetric(List.of("applied"), stats.batchesApplied.sum());
    acks.addMetric(List.of("already_settled"), stats.batchesAlreadySettled.sum());
    out.add(acks);
    CounterMetricFamily protocolErrors = new CounterMetricFamily("pidless_protocol_errors",
        "Protocol violations, by ERROR code; each closed one client connection.", List.of("code"));
    CounterMetricFamily rejections = new CounterMetricFamily("pidless_rejections",
        "Definitions and batches rejected, by reason; the connection went on.", List.of("reason"));
    for (ErrorCode c : ErrorCode.values()) {
      (c.closesConnection() ? protocolErrors : rejections).addMetric(List.of(c.label()), stats.errors(c));
    }
    out.add(protocolErrors);
    out.add(rejections);
    CounterMetricFamily dropped = new CounterMetricFamily("pidless_deltas_dropped",
        "Deltas dropped because their series definition was rejected.", List.of("reason"));
    dropped.addMetric(List.of("rejected_series"), stats.deltasDroppedRejectedSeries.sum());
    out.add(dropped);
    CounterMetricFamily saturated = new CounterMetricFamily("pidless_values_saturated",
        "Deltas that left a count at 2^63-1 or a sum at +-1.8e308 instead of wrapping or reaching infinity, by"
        + " series type.", List.of("type"));
    for (MetricType t : MetricType.values()) {
      saturated.addMetric(List.of(t.name().toLowerCase(Locale.ROOT)), stats.valuesSaturated(t));
    }
    out.add(saturated);
    out.add(gauge("pidless_series", "Series held now.", store.seriesCount()));
    out.add(gauge("pidless_series_limit", "Most series allowed at once (--max-series).", settings.maxSeries()));
    out.add(gauge("pidless_series_bytes", "Bytes of series text held: names, labels and help as a scrape"
        + " writes them.", store.textBytes().used()));
    out.add(gauge("pidless_series_bytes_limit", "Most bytes of series text allowed (--max-series-bytes).",
        store.textBytes().limit()));
    out.add(gauge("pidless_series_ids", "Series ids bound on all client connections now.", ids.used()));
    out.add(gauge("pidless_series_ids_limit", "Most series ids all connections may bind (--max-ids).", ids.limit()));
    out.add(gauge("pidless_families", "Metric names held now.", store.familyCount()));
    out.add(counter("pidless_series_created", "Series created.", stats.seriesCreated.sum()));
    out.add(counter("pidless_series_expired", "Series removed after --ttl without writes.", stats.seriesExpired.sum()));
    out.add(counter("pidless_state_files_unreadable", "State files moved aside to FILE.unreadable at start because"
        + " they were damaged or did not decode; the counters restarted from zero.", stats.stateFilesUnreadable.sum()));
    out.add(gauge("pidless_sessions", "Client sessions remembered (connected, or within --session-ttl).",
        sessions.size()));
    out.add(gauge("pidless_sessions_limit", "Most client sessions remembered at once (--max-sessions).",
        sessions.limit()));
    out.add(new SummaryMetricFamily("pidless_scrape_duration_seconds",
        "Time spent copying and rendering the merged series for a scrape, gzip included, not waiting for the client.",
        timer.count(), timer.seconds()));
    CounterMetricFamily refusals = new CounterMetricFamily("pidless_http_refusals",
        "HTTP requests refused or cut short, by reason.", List.of("reason"));
    for (HttpStats.Reason reason : HttpStats.Reason.values()) {
      refusals.addMetric(List.of(reason.label()), http.refusals(reason));
    }
    out.add(refusals);
    return out;
  }

  private static GaugeMetricFamily gauge(String name, String help, double v) {
    return new GaugeMetricFamily(name, help, v);
  }

  private static CounterMetricFamily counter(String name, String help, double v) {
    return new CounterMetricFamily(name, help, v);
  }
}
