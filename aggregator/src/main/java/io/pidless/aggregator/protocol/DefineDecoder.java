package io.pidless.aggregator.protocol;

import io.netty.buffer.ByteBuf;
import io.pidless.aggregator.store.DefineRequest;
import io.pidless.protocol.MetricType;

/**
 * Decodes a DEFINE payload; only framing is checked here, the rest is {@code store.DefinitionRules}'.
 * The slot keeps the delta shape even for a definition the rules reject, so its deltas can be stepped over.
 */
final class DefineDecoder {
  record Decoded(long id, DefineRequest request, SeriesTable.Slot shape) {}

  private static final double[] NO_BOUNDS = new double[0];

  private DefineDecoder() {}

  static Decoded decode(ByteBuf b) {
    long id = Payload.varint(b, "series id");
    int type = b.readUnsignedByte();
    int mode = b.readUnsignedByte();
    String name = Payload.string(b, "name");
    String help = Payload.string(b, "help");
    int labels = Payload.count(b, "label count", 2);
    String[] names = new String[labels];
    String[] values = new String[labels];
    for (int i = 0; i < labels; i++) {
      names[i] = Payload.string(b, "label name");
      values[i] = Payload.string(b, "label value");
    }
    double[] bounds = NO_BOUNDS;
    if (type == MetricType.HISTOGRAM.code()) {
      bounds = new double[Payload.count(b, "bound count", 8)];
      for (int i = 0; i < bounds.length; i++) {
        bounds[i] = b.readDouble();
      }
    }
    Payload.expectEnd(b, "DEFINE");
    DefineRequest request = new DefineRequest(type, mode, name, help, names, values, bounds);
    return new Decoded(id, request,
        new SeriesTable.Slot(request.metricType(), request.gaugeMode(), bounds.length + 1, null));
  }
}
