package io.pidless.aggregator.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A series' identity: metric name plus its label set, sorted by label name. There is deliberately no
 * room for a process id: two workers that define the same name and labels write the same series.
 *
 * <p>The label set is held only as its exposition text ({@link LabelText}): escaping is one-to-one,
 * so equal texts are equal label sets, and a scrape copies the text as is.
 */
public final class SeriesKey {
  private final String name;
  private final byte[] labelText;
  private final int hash;

  /** {@code labelNames} must already be sorted and {@code labelValues} in the same order. */
  SeriesKey(String name, String[] labelNames, String[] labelValues) {
    this.name = name;
    this.labelText = LabelText.render(labelNames, labelValues);
    int h = mix(name.hashCode());
    for (byte b : labelText) {
      h = (h ^ b) * 0x01000193;
    }
    this.hash = mix(h);
  }

  /**
   * Murmur3's finalizer, over an FNV-1a pass on the label text. String hashes of short numeric
   * values are nearly linear, so a plain {@code 31 * h + v} makes {@code {a="1",b="10"}} and
   * {@code {a="0",b="41"}} collide.
   */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }

  public String name() {
    return name;
  }

  /**
   * The label set as UTF-8 exposition text, {@code {a="x",b="y"}}, or no bytes when there are no
   * labels. Shared, not copied: callers must not modify it.
   */
  public byte[] labelText() {
    return labelText;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SeriesKey k)) {
      return false;
    }
    return hash == k.hash && name.equals(k.name) && Arrays.equals(labelText, k.labelText);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** As the exposition writes it: {@code x{a="1",b="2"}}. */
  @Override
  public String toString() {
    return name + new String(labelText, StandardCharsets.UTF_8);
  }
}
