package io.pidless.aggregator.protocol;

import io.pidless.aggregator.config.AggregatorConfig.Budgets;
import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.aggregator.store.SeriesStore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection handler shares: the store, the sessions, the counters (the open connections among
 * them, in {@code stats}), the limits and budgets.
 * Timeouts are in nanoseconds.
 */
record IngestContext(SeriesStore store, SessionRegistry sessions, AggregatorStats stats, Limits limits,
    Budgets budgets, Budget ids, int maxConnections, UidConnections perUid, long frameTimeoutNanos,
    long idleTimeoutNanos, long instance, AtomicLong connectionIds) {}
