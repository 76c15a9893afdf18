package io.pidless.aggregator.http;

import io.pidless.aggregator.store.SeriesCopy;
import io.pidless.aggregator.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.zip.GZIPOutputStream;

/**
 * One scrape's body: the merged series written directly by {@link SeriesTextWriter}, then the
 * aggregator's own and the JVM's metrics from the simpleclient registry, in the format the
 * {@code Accept} header asks for (text 0.0.4 or OpenMetrics), gzipped when asked, filtered by
 * {@code name[]} query parameters as simpleclient's exporter does. {@link #render} takes what the
 * body shows (the series' values, in one {@link SeriesCopy} under the store's lock, so a scrape never
 * shows half a batch, and the own metrics, the part that may fail); {@link Body#writeTo} then writes
 * the text in {@value MetricsServer#CHUNK_BYTES}-byte chunks, each handed on as soon as it is full.
 * No buffer of the whole body is kept: a full one of 100,000 series held 12 MB per scrape thread
 * between scrapes, and sending only after the last byte was written added the whole render time to
 * the scrape's. Runs on a {@link ScrapeQueue} thread: a body is valid until that thread renders the
 * next, which the queue does only once every response sending it is written.
 *
 * <pre>{@code
 * ScrapeRenderer.Body body = renderer.render(acceptHeader, "name[]=jobs_total", true);
 * body.writeTo((bytes, n) -> out.write(bytes, 0, n), () -> 0);
 * }</pre>
 */
final class ScrapeRenderer {
  private final SeriesStore store;
  private final CollectorRegistry registry;
  private final ScrapeTimer timer;
  /**
   * Each scrape thread's copy of the values and its own metrics' text, kept from one scrape to the
   * next: a scrape of 100,000 series that allocated its copy anew left garbage that, under SerialGC,
   * cost collections that stalled ingest for over 100 ms.
   */
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    final SeriesCopy copy = new SeriesCopy();
    final TextBuffer own = new TextBuffer(64 * 1024);
  }

  /** What one scrape shows, and how to label it; written by {@link #writeTo} once per scrape thread turn. */
  final class Body {
    private final String contentType;
    private final boolean gzip;
    private final boolean openMetrics;
    private final Set<String> names;
    private final Buffers taken;
    private final long startNanos;

    private Body(String contentType, boolean gzip, Set<String> names, Buffers taken, long startNanos) {
      this.contentType = contentType;
      this.gzip = gzip;
      this.openMetrics = contentType.equals(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
      this.names = names;
      this.taken = taken;
      this.startNanos = startNanos;
    }

    String contentType() {
      return contentType;
    }

    boolean gzip() {
      return gzip;
    }

    /**
     * Writes the body, gzipped when asked, into chunks passed to {@code sink} as each fills, the last
     * one when done; records the time it took, less {@code waitedNanos}, what the sink spent waiting
     * for clients, as {@code pidless_scrape_duration_seconds}.
     */
    void writeTo(TextBuffer.Drain sink, LongSupplier waitedNanos) throws IOException {
      if (gzip) {
        TextBuffer zipped = TextBuffer.draining(MetricsServer.CHUNK_BYTES, sink);
        try (GZIPOutputStream out = new GZIPOutputStream(zipped.outputStream(), MetricsServer.CHUNK_BYTES)) {
          writeText(TextBuffer.draining(MetricsServer.CHUNK_BYTES, (bytes, n) -> {
            try {
              out.write(bytes, 0, n);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }));
          out.finish();
        }
        zipped.drain();
      } else {
        writeText(TextBuffer.draining(MetricsServer.CHUNK_BYTES, sink));
      }
      timer.observe(System.nanoTime() - startNanos - waitedNanos.getAsLong());
    }

    private void writeText(TextBuffer text) {
      SeriesTextWriter.write(taken.copy, openMetrics, names, text);
      text.append(taken.own);
      text.drain();
    }
  }

  ScrapeRenderer(SeriesStore store, CollectorRegistry registry, ScrapeTimer timer) {
    this.store = store;
    this.registry = registry;
    this.timer = timer;
  }

  /** {@code rawQuery} may be null; {@code gzip}: compress the body. Nothing is written yet. */
  Body render(String accept, String rawQuery, boolean gzip) throws IOException {
    long start = System.nanoTime();
    String contentType = TextFormat.chooseContentType(accept);
    Set<String> names = names(rawQuery);
    Buffers b = buffers.get();
    store.copy(b.copy);
    TextBuffer own = b.own;
    own.clear();
    Writer writer = new OutputStreamWriter(own.outputStream(), StandardCharsets.UTF_8);
    TextFormat.writeFormat(contentType, writer,
        names == null ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(names));
    writer.flush();
    return new Body(contentType, gzip, names, b, start);
  }
  /** The {@code name[]} query parameters, or null when there are none. */
  private static Set<String> names(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    Set<String> names = new HashSet<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
        names.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return names.isEmpty() ? null : names;
  }
}
