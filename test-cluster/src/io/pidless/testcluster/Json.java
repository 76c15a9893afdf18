package io.pidless.testcluster;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes the driver's expectations as JSON (maps, lists, numbers, strings): no JSON library on Spark's classpath to rely on. */
final class Json {
  private Json() {}

  /** {@code Json.write(Map.of("records", 3L))} gives {@code {"records":3}}. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    append(sb, value);
    return sb.append('\n').toString();
  }

  private static void append(StringBuilder sb, Object value) {
    if (value instanceof Map<?, ?> map) {
      sb.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
        sb.append(sep);
        append(sb, String.valueOf(e.getKey()));
        sb.append(':');
        append(sb, e.getValue());
        sep = ",";
      }
      sb.append('}');
    } else if (value instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        sb.append(i == 0 ? "" : ",");
        append(sb, list.get(i));
      }
      sb.append(']');
    } else if (value instanceof Number) {
      sb.append(value);
    } else {
      sb.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
  }
}
