package io.pidless.aggregator.state;

import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes a series' label values straight from the exposition text its key holds
 * ({@code {a="x",b="y\"z"}}), unescaped, as the state file's {@code str}s: no {@code String} per value
 * at save time, which at 100,000 series was most of what a save cost.
 */
final class SavedLabelValues {
  private SavedLabelValues() {}

  /**
   * Writes the {@code count} values of {@code text} in order; {@code scratch} must hold as many bytes
   * as {@code text}. Label names hold neither {@code =} nor {@code "}, so each value starts after the
   * next {@code ="} and ends at the next unescaped {@code "}.
   */
  static void write(DataOutput out, byte[] text, int count, byte[] scratch) throws IOException {
    int p = 0;
    for (int i = 0; i < count; i++) {
      while (text[p] != '"') {
        p++;
      }
      int length = 0;
      for (byte b = text[++p]; b != '"'; b = text[++p]) {
        if (b == '\\') {
          b = text[++p];
          if (b == 'n') {
            b = '\n';
          }
        }
        scratch[length++] = b;
      }
      p++;
      StateFormat.writeString(out, scratch, length);
    }
  }
}
