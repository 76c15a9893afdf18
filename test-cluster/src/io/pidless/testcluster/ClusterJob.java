package io.pidless.testcluster;

import io.pidless.spark.PidlessAccumulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver run.sh submits to the standalone cluster. It runs three jobs of different sizes whose
 * every task feeds a short-lived python3 process through RDD.pipe, counts records and bytes with
 * PidlessAccumulators on the way, and writes what Prometheus must show to a JSON file, so the
 * checker compares against numbers the job computed itself rather than constants.
 *
 * <p>Usage: {@code ClusterJob OUT.json WORKER.py SMALL_PARTITIONS LARGE_PARTITIONS FAULT_PARTITIONS};
 * master, plugin and socket come from the usual {@code spark.*} system properties.
 */
public final class ClusterJob {
  /** Wait after a job so its last deltas are flushed (1 s) and scraped (1 s) before the next. */
  private static final long SETTLE_MILLIS = 3_000;

  private ClusterJob() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path out = Path.of(args[0]);
    String worker = args[1];
    int small = Integer.parseInt(args[2]);
    int large = Integer.parseInt(args[3]);
    int fault = Integer.parseInt(args[4]);
    String python = System.getProperty("tc.python", "python3");

    SparkConf conf = new SparkConf().setAppName("pidless-test-cluster");
    try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
      PidlessAccumulator records = PidlessAccumulator.register(jsc.sc(), "tc_jvm_records", "Records the JVM tasks fed to Python.");
      PidlessAccumulator bytes = PidlessAccumulator.register(jsc.sc(), "tc_jvm_bytes", "Bytes the JVM tasks fed to Python.");
      Map<String, Object> expected = new HashMap<>();
      List<Long> perProcess = new ArrayList<>();
      long[] totals = new long[2];
      long afterRestart = 0;
      int tasks = 0;
      int jobs = 0;
      List<Map<String, Object>> phases = new ArrayList<>();
      String[][] plan = {{"small", "normal", String.valueOf(small)}, {"large", "normal", String.valueOf(large)},
          {"fault", "fault", String.valueOf(fault)}};
      for (String[] phase : plan) {
        int partitions = Integer.parseInt(phase[2]);
        long started = System.currentTimeMillis();
        JavaRDD<String> lines = jsc.parallelize(IntStream.range(0, partitions).boxed().collect(Collectors.toList()), partitions)
            .flatMap(p -> recordsOf(p).iterator())
            .map(line -> {
              records.add(1);
              bytes.add(line.length());
              return line;
            });
        List<String> echoed = lines.pipe(Arrays.asList(python, worker, phase[1])).collect();
        jobs++;
        tasks += partitions;
        for (int p = 0; p < partitions; p++) {
          List<String> rs = recordsOf(p);
          perProcess.add((long) rs.size());
          totals[0] += rs.size();
          totals[1] += rs.stream().mapToLong(String::length).sum();
          if (phase[1].equals("fault")) {
            afterRestart += rs.size() - rs.size() / 2;   // pipe_worker.py counts the second half after the restart
          }
        }
        if (echoed.size() != totals[0] - sumBefore(phases, "records")) {
          throw new IllegalStateException("phase " + phase[0] + ": Python echoed " + echoed.size()
              + " records, the job fed " + (totals[0] - sumBefore(phases, "records")));
        }
        long ended = System.currentTimeMillis();
        phases.add(Map.of("name", phase[0], "partitions", partitions, "start_ms", started, "end_ms", ended,
            "records", totals[0] - sumBefore(phases, "records")));
        System.err.println("test-cluster: job " + phase[0] + " done, " + partitions + " tasks, " + echoed.size() + " records");
        Thread.sleep(SETTLE_MILLIS);
      }
      expected.put("app_name", jsc.sc().appName());
      expected.put("records", totals[0]);
      expected.put("bytes", totals[1]);
      expected.put("acc_records", records.value());
      expected.put("acc_bytes", bytes.value());
      expected.put("records_after_restart", afterRestart);
      expected.put("tasks", tasks);
      expected.put("jobs", jobs);
      expected.put("stages", jobs);
      expected.put("python_processes", perProcess.size());
      expected.put("per_process_records", perProcess);
      expected.put("phases", phases);
      expected.put("executors", jsc.sc().getExecutorMemoryStatus().size() - 1);
      jsc.stop();
      expected.put("stopped_ms", System.currentTimeMillis());
      Files.writeString(out, Json.write(expected), StandardCharsets.UTF_8);
    }
  }

  private static long sumBefore(List<Map<String, Object>> phases, String key) {
    return phases.stream().mapToLong(m -> ((Number) m.get(key)).longValue()).sum();
  }

  /** Partition {@code p}'s records: 40 + p lines of varying length, so every process counts differently. */
  static List<String> recordsOf(int p) {
    List<String> rs = new ArrayList<>();
    for (int j = 0; j < 40 + p; j++) {
      rs.add(p + ":" + j + ":" + "x".repeat((p * 7 + j) % 17));
    }
    return rs;
  }
}
