package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.ErrorCode;
import io.pidless.protocol.FrameReader;
import io.pidless.protocol.FrameType;
import io.pidless.protocol.FrameWriter;
import io.pidless.protocol.MetricType;
import io.pidless.protocol.ServerFrame;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DaemonSet's memory settings hold a full aggregator: the real jar, under the DaemonSet's JVM
 * options with the JVM told it has exactly the container's memory limit ({@code -XX:MaxRAM}), is
 * filled to {@code PIDLESS_MAX_SERIES} counters through its socket and scraped as Prometheus scrapes
 * (OpenMetrics, gzip); it keeps every series, rejects the next one, and its resident memory stays under the limit. The figures
 * it prints are the ones daemonset.yaml's sizing comment quotes.
 */
class MemorySizingTest {
  private static final String NAME = "deploy_sizing_records_total";
  private static final int DELTAS_PER_BATCH = 50_000;
  /**
   * A scrape of a full aggregator costs 0-3 old-generation collections at the DaemonSet's 256 MiB heap,
   * and ~16 (10-50 s a scrape) at 128 MiB, where it thrashes.
   */
  private static final int MAX_FULL_COLLECTIONS_PER_SCRAPE = 4;
  private static final Set<String> FULL_COLLECTORS = Set.of("MarkSweepCompact", "PS MarkSweep", "G1 Old Generation");
  /** The Accept header Prometheus scrapes with (and gzip): OpenMetrics preferred. */
  private static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  @Test
  void aFullAggregatorFitsTheDaemonSetMemoryLimit(@TempDir Path tmp) throws Exception {
    MemorySizing sizing = MemorySizing.ofDaemonSet();
    TempSocketDir dir = new TempSocketDir();
    Path socket = dir.socket();
    Map<String, String> env = Map.of("PIDLESS_SOCKET", socket.toString(), "PIDLESS_LISTEN", "127.0.0.1:0",
        "PIDLESS_MAX_SERIES", String.valueOf(sizing.maxSeries()), "JDK_JAVA_OPTIONS", sizing.jvmOptions());
    List<String> container = List.of("-XX:MaxRAM=" + sizing.limitBytes(), "-Djava.io.tmpdir=" + tmp);
    try (dir; AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.flags().jvmOptions(container).env(env))) {
      fill(socket, sizing.maxSeries());
      defineOneTooMany(socket);
      Scrape full = Scrape.of(agg.port(), PROMETHEUS_ACCEPT, true);
      Scrape next = Scrape.of(agg.port(), PROMETHEUS_ACCEPT, true);
      long rss = residentBytes(agg.pid());

      // The heap is the MaxRAMPercentage share of the limit; SerialGC reports it less one survivor space.
      double heapMax = full.value("jvm_memory_bytes_max{area=\"heap\"}");
      assertTrue(heapMax <= sizing.heapBytes() && heapMax > 0.9 * sizing.heapBytes(),
          "heap max " + heapMax + " B is not limit x MaxRAMPercentage = " + sizing.heapBytes() + " B");
      assertEquals(sizing.maxSeries(), full.value("pidless_series"));
      Map<Map<String, String>, Double> filled = full.series(NAME);
      assertEquals(sizing.maxSeries(), filled.size());
      assertEquals((double) sizing.maxSeries(), filled.values().stream().mapToDouble(Double::doubleValue).sum());
      assertEquals(1.0, full.value("pidless_rejections_total{reason=\"series_limit\"}"));
      assertEquals(1.0, full.value("pidless_deltas_dropped_total{reason=\"rejected_series\"}"));
      assertTrue(rss < sizing.limitBytes(), "resident " + rss + " B is over the " + sizing.limitBytes() + " B limit");
      double fullCollections = fullCollections(next) - fullCollections(full);
      assertTrue(fullCollections <= MAX_FULL_COLLECTIONS_PER_SCRAPE, "one scrape cost " + fullCollections
          + " full collections: the heap is too small for the scrape and its series");
      System.out.printf("pidless sizing: %d series, resident %.1f MiB of the %d MiB limit (heap max %.1f MiB),"
          + " %.0f full collections in one scrape%n", sizing.maxSeries(), rss / 1048576.0, sizing.limitBytes() >> 20,
          heapMax / 1048576.0, fullCollections);
      assertEquals(0, agg.stop(), agg.output());
      assertTrue(agg.output().contains("saved " + sizing.maxSeries() + " series"),
          "the state file is written within the same limit: " + agg.output());
    }
  }

  /** One client defines {@code n} counters, ids 1..n, and adds 1 to each. */
  private static void fill(Path socket, int n) throws IOException {
    try (SocketChannel ch = connect(socket)) {
      FrameWriter w = new FrameWriter(1 << 20);
      w.hello(session(), "pidless-deploy-sizing/0.1");
      for (int id = 1; id <= n; id++) {
        w.define(id, MetricType.COUNTER, null, NAME, "Filler for the sizing test",
            new String[] {"app", "stage", "task"}, new String[] {"sizing", "stage-" + id % 100, "task-" + id}, null);
        if (w.size() > 512 * 1024) {
          w.writeTo(ch);
        }
      }
      List<Long> seqs = new ArrayList<>();
      for (int first = 1; first <= n; first += DELTAS_PER_BATCH) {
        int last = Math.min(n, first + DELTAS_PER_BATCH - 1);
        long seq = seqs.size() + 1;
        w.beginFrame(FrameType.BATCH).varint(seq).varint(last - first + 1);
        for (int id = first; id <= last; id++) {
          w.varint(id).f64(1.0);
        }
        w.endFrame();
        seqs.add(seq);
      }
      w.writeTo(ch);
      FrameReader r = new FrameReader(ch);
      assertInstanceOf(ServerFrame.HelloOk.class, r.read());
      for (long seq : seqs) {
        assertEquals(new ServerFrame.Ack(seq, 0), r.read(), "batch " + seq);
      }
    }
  }

  /** A second client's new series is refused at the limit, and its delta dropped, not applied. */
  private static void defineOneTooMany(Path socket) throws IOException {
    try (SocketChannel ch = connect(socket)) {
      FrameWriter w = new FrameWriter();
      w.hello(session(), "pidless-deploy-sizing/0.1");
      w.define(1, MetricType.COUNTER, null, NAME, "Filler for the sizing test",
          new String[] {"app", "stage", "task"}, new String[] {"sizing", "stage-0", "one-too-many"}, null);
      w.beginFrame(FrameType.BATCH).varint(1).varint(1).varint(1).f64(1.0).endFrame();
      w.writeTo(ch);
      FrameReader r = new FrameReader(ch);
      assertInstanceOf(ServerFrame.HelloOk.class, r.read());
      ServerFrame.Error error = assertInstanceOf(ServerFrame.Error.class, r.read());
      assertEquals(ErrorCode.SERIES_LIMIT, error.code(), error.message());
      assertEquals(new ServerFrame.Ack(1, 0), r.read());
    }
  }

  private static SocketChannel connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
    return ch;
  }

  private static byte[] session() {
    UUID u = UUID.randomUUID();
    return ByteBuffer.allocate(16).putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array();
  }

  /** Old-generation collections so far, whichever collector the JVM runs. */
  private static double fullCollections(Scrape scrape) {
    return scrape.series("jvm_gc_collection_seconds_count").entrySet().stream()
        .filter(e -> FULL_COLLECTORS.contains(e.getKey().get("gc")))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** VmRSS of a process, from /proc. */
  private static long residentBytes(long pid) throws IOException {
    try (Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(pid), "status"))) {
      String kb = lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
          .orElseThrow(() -> new AssertionError("no VmRSS for pid " + pid))
          .replaceAll("\\D", "");
      return Long.parseLong(kb) * 1024;
    }
  }
}
