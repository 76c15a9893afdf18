package io.pidless.aggregator.http;

import io.pidless.aggregator.store.SeriesCopy;
import io.pidless.aggregator.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.SequenceInputStream;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * One scrape's body: the merged series written directly by {@link SeriesTextWriter}, then the
 * aggregator's own and the JVM's metrics from the simpleclient registry, in the format the
 * {@code Accept} header asks for (text 0.0.4 or OpenMetrics), gzipped when asked, filtered by
 * {@code name[]} query parameters as simpleclient's exporter does. Runs on a {@link ScrapeQueue}
 * thread, into that thread's buffers: a body stays valid until the thread renders the next, which the
 * queue does only once every response sending it is written.
 *
 * <pre>{@code
 * ScrapeRenderer.Body body = renderer.render(acceptHeader, "name[]=jobs_total", true);
 * }</pre>
 */
final class ScrapeRenderer {
  private final SeriesStore store;
  private final CollectorRegistry registry;
  private final ScrapeTimer timer;
  /**
   * Each scrape thread's buffers, kept from one scrape to the next: a scrape of 100,000 series
   * allocated some 40 MB that soon died, and under SerialGC that garbage cost full collections that
   * stalled ingest for over 100 ms. A body is sent before its thread renders the next one.
   */
  private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    final SeriesCopy copy = new SeriesCopy();
    final TextBuffer series = new TextBuffer(64 * 1024);
    final TextBuffer created = new TextBuffer(4096);
    final TextBuffer own = new TextBuffer(64 * 1024);
    final TextBuffer compressed = new TextBuffer(64 * 1024);
  }

  /** The bytes to send, the concatenation of {@code parts}, and how to label them; read by any number of sends. */
  record Body(String contentType, boolean gzip, TextBuffer... parts) {
    InputStream open() {
      InputStream in = InputStream.nullInputStream();
      for (TextBuffer part : parts) {
        in = new SequenceInputStream(in, part.inputStream());
      }
      return in;
    }

    long length() {
      long n = 0;
      for (TextBuffer part : parts) {
        n += part.length();
      }
      return n;
    }
  }

  ScrapeRenderer(SeriesStore store, CollectorRegistry registry, ScrapeTimer timer) {
    this.store = store;
    this.registry = registry;
    this.timer = timer;
  }

  /** {@code rawQuery} may be null; {@code gzip}: compress the body. */
  Body render(String accept, String rawQuery, boolean gzip) throws IOException {
    long start = System.nanoTime();
    String contentType = TextFormat.chooseContentType(accept);
    boolean openMetrics = contentType.equals(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
    Set<String> names = names(rawQuery);
    Buffers b = buffers.get();
    TextBuffer series = b.series;
    series.clear();
    if (names == null) {
      series.reserve(store.textBytes().used());   // the bytes a full scrape writes, as --max-series-bytes counts them
    }
    store.copy(b.copy);
    SeriesTextWriter.write(b.copy, openMetrics, names, series, b.created);
    TextBuffer own = b.own;
    own.clear();
    Writer writer = new OutputStreamWriter(own.outputStream(), StandardCharsets.UTF_8);
    TextFormat.writeFormat(contentType, writer,
        names == null ? registry.metricFamilySamples() : registry.filteredMetricFamilySamples(names));
    writer.flush();
    timer.observe(System.nanoTime() - start);
    if (!gzip) {
      return new Body(contentType, false, series, own);
    }
    TextBuffer compressed = b.compressed;
    compressed.clear();
    try (OutputStream out = new GZIPOutputStream(compressed.outputStream(), 64 * 1024)) {
      series.writeTo(out);
      own.writeTo(out);
    }
    return new Body(contentType, true, compressed);
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
