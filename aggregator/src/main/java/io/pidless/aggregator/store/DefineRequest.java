package io.pidless.aggregator.store;

/**
 * A series definition as it came off the wire, not yet checked. {@code type} and {@code mode} are the
 * raw wire values; labels may be in any order; {@code bounds} is empty unless a histogram.
 */
public record DefineRequest(int type, int mode, String name, String help, String[] labelNames,
    String[] labelValues, double[] bounds) {}
