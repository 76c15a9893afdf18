package io.pidless.aggregator.state;

/**
 * A remote_write push that could not be delivered before the aggregator stopped: its endpoint, how
 * many samples it holds and its request body exactly as it would be sent (snappy-compressed). The
 * state file keeps it so the next start can still deliver it.
 */
public record SavedPush(String url, int samples, byte[] body) {}
