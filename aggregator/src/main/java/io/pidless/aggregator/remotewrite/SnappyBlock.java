package io.pidless.aggregator.remotewrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;

/**
 * Snappy's block format (a varint length, then literals and copies; no stream framing), which is what
 * remote_write's {@code Content-Encoding: snappy} means, written by xerial's binding of the reference
 * Snappy. Netty's {@code Snappy} writes the same format but, past 64 KiB, hardly compresses: 5.7 of
 * 5.8 MB for 30,000 series, where this gives 0.6 MB.
 *
 * <pre>{@code
 * byte[] body = SnappyBlock.compress(protobufBytes);
 * }</pre>
 */
final class SnappyBlock {
  private SnappyBlock() {}

  static byte[] compress(byte[] raw) {
    try {
      return Snappy.compress(raw);
    } catch (IOException e) {
      throw new UncheckedIOException("snappy could not compress a remote write request of " + raw.length
          + " bytes", e);
    }
  }
}
