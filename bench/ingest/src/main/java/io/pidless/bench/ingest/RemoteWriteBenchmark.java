package io.pidless.bench.ingest;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of one remote_write push of {@code series} counter series (issue 12's goal: at most 1 s of
 * one core per 100,000 series): a real aggregator with deploy/'s JVM options pushes to a JDK
 * {@link HttpServer} that answers 204 and records each body. Per push it reports the bytes on the
 * wire (snappy body), the aggregator's own account of building it (snapshot, protobuf, snappy: CPU
 * and bytes allocated on the push thread, from its debug log), and the whole process' CPU time
 * between pushes (sending included).
 *
 * <pre>
 * java -cp bench/ingest/target/pidless-bench-ingest.jar io.pidless.bench.ingest.RemoteWriteBenchmark [series] [pushes]
 * </pre>
 */
final class RemoteWriteBenchmark {
  private static final Pattern BUILT = Pattern.compile("remote write push built: (\\d+) series, (\\d+) samples, "
      + "(\\d+) bytes before snappy, (\\d+) us CPU, (\\d+) bytes allocated");
  private static final int CONNECTIONS = 4;
  private static final int WARMUP_PUSHES = 3;

  private RemoteWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int pushes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    LinkedBlockingQueue<Integer> bodies = new LinkedBlockingQueue<>();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext("/api/v1/write", ex -> {
      bodies.add(ex.getRequestBody().readAllBytes().length);
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    sink.start();
    try (BenchAggregator agg = BenchAggregator.start(c -> c.deployed().env(Map.of("PIDLESS_LOG_LEVEL", "debug")),
        "--max-series", Integer.toString(series), "--remote-write-url", "http://127.0.0.1:"
        + sink.getAddress().getPort() + "/api/v1/write", "--remote-write-interval", "4s")) {
      SeriesFiller.fill(agg.socket(), CONNECTIONS, series / CONNECTIONS,
          k -> CounterSeries.spread("bench_rw", 10, k));
      int wire = 0;
      for (int i = 0; i < WARMUP_PUSHES; i++) {
        wire = await(bodies);
      }
      long cpu = agg.cpuNanos();
      List<Integer> wires = new ArrayList<>();
      for (int i = 0; i < pushes; i++) {
        wires.add(await(bodies));
      }
      long cpuPerPush = (agg.cpuNanos() - cpu) / pushes;
      List<long[]> built = new ArrayList<>();
      Matcher m = BUILT.matcher(agg.output());
      while (m.find()) {
        built.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
            Long.parseLong(m.group(4)), Long.parseLong(m.group(5))});
      }
      List<long[]> measured = built.subList(Math.max(0, built.size() - pushes), built.size());
      long[] last = measured.get(measured.size() - 1);
      if (last[0] != series) {
        throw new IllegalStateException("the push held " + last[0] + " series, not " + series);
      }
      System.out.printf("remote_write push of %,d series (%,d samples), median of %d pushes after %d warm-up:%n",
          series, last[1], pushes, WARMUP_PUSHES);
      System.out.printf("  bytes on the wire (snappy): %,d; before snappy: %,d%n", median(wires), last[2]);
      System.out.printf("  build on the push thread (snapshot + protobuf + snappy): %.0f ms CPU, %,d MB allocated%n",
          median(measured.stream().map(b -> (int) (b[3] / 1000)).toList()) * 1.0,
          median(measured.stream().map(b -> (int) (b[4] >> 20)).toList()));
      System.out.printf("  whole aggregator process per push (sending included): %.0f ms CPU%n", cpuPerPush / 1e6);
      System.out.printf("  (the first, cold, push: %d ms CPU on the push thread)%n", built.get(0)[3] / 1000);
      agg.stop();
      if (wire == 0) {
        throw new IllegalStateException("no push arrived");
      }
    } finally {
      sink.stop(0);
    }
  }

  private static int await(LinkedBlockingQueue<Integer> bodies) throws InterruptedException {
    Integer n = bodies.poll(60, TimeUnit.SECONDS);
    if (n == null) {
      throw new IllegalStateException("no remote_write push arrived within 60 s");
    }
    return n;
  }

  private static int median(List<Integer> values) {
    List<Integer> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
