package io.pidless.aggregator.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A series' identity: metric name plus its label set, sorted by label name. There is deliberately no
 * room for a process id: two workers that define the same name and labels write the same series.
 *
 * <p>The label set is held only as its exposition text ({@link LabelText}): escaping is one-to-one,
 * so equal texts are equal label sets, and a scrape copies the text as is. The name is the family's.
 *
 * <p>Every stored {@link Series} is its own key (this class is its base), so the store keeps no key
 * object per series; a DEFINE looks its series up with a plain key, a probe. Equality is by name and
 * label text only, whatever the class, so a probe and a series compare alike from either side. A
 * series keeps no hash (4 bytes each): it is computed when asked, which the store does on lookups and
 * expiry, not per delta (but for a live gauge, {@link LiveGaugeSeries}, which keeps it); a probe
 * computes it once.
 *
 * <pre>{@code
 * SeriesKey k = SeriesKey.of(family, new String[] {"a", "b"}, new String[] {"1", "2"});
 * k.toString();   // x{a="1",b="2"}
 * }</pre>
 */
public abstract class SeriesKey {
  /**
   * The family, for its name; equality looks at the name only. Not final: a new series takes the
   * family instance the store holds, under the store's family lock, before anyone else can see it.
   */
  Family family;
  private final byte[] labelText;

  SeriesKey(Family family, byte[] labelText) {
    this.family = family;
    this.labelText = labelText;
  }

  /**
   * A probe, to look a series up with; {@code labelNames} must already be sorted and
   * {@code labelValues} in the same order.
   */
  static SeriesKey of(Family family, String[] labelNames, String[] labelValues) {
    return new Probe(family, LabelText.render(labelNames, labelValues));
  }

  /**
   * Murmur3's finalizer around an FNV-1a pass on the label text. String hashes of short numeric
   * values are nearly linear, so a plain {@code 31 * h + v} makes {@code {a="1",b="10"}} and
   * {@code {a="0",b="41"}} collide.
   */
  private static int hash(String name, byte[] labelText) {
    int h = mix(name.hashCode());
    for (byte b : labelText) {
      h = (h ^ b) * 0x01000193;
    }
    return mix(h);
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    return h ^ (h >>> 16);
  }

  public final String name() {
    return family.name();
  }

  /**
   * The label set as UTF-8 exposition text, {@code {a="x",b="y"}}, or no bytes when there are no
   * labels. Shared, not copied: callers must not modify it.
   */
  public final byte[] labelText() {
    return labelText;
  }

  @Override
  public final boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SeriesKey k)) {
      return false;
    }
    return Arrays.equals(labelText, k.labelText) && name().equals(k.name());
  }

  @Override
  public int hashCode() {
    return hash(name(), labelText);
  }

  /** As the exposition writes it: {@code x{a="1",b="2"}}. */
  @Override
  public final String toString() {
    return name() + new String(labelText, StandardCharsets.UTF_8);
  }

  /** A key that is no series: a DEFINE's, to look its series up with, which hashes it once. */
  private static final class Probe extends SeriesKey {
    private final int hash;

    Probe(Family family, byte[] labelText) {
      super(family, labelText);
      this.hash = super.hashCode();
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
