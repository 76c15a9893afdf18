package io.pidless.testcluster;

import io.pidless.spark.PidlessAccumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The JVM half of the test cluster's application: pyspark_app.py (the driver, through py4j) runs
 * one of these jobs beside each of its Python jobs, so that PidlessAccumulator and PidlessPlugin
 * run in the same application and executors as the pyspark.daemon workers.
 */
public final class ClusterJob {
  private final PidlessAccumulator records;
  private final PidlessAccumulator bytes;

  private ClusterJob(JavaSparkContext jsc) {
    records = PidlessAccumulator.register(jsc.sc(), "tc_jvm_records", "Records the JVM tasks read.");
    bytes = PidlessAccumulator.register(jsc.sc(), "tc_jvm_bytes", "Bytes the JVM tasks read.");
  }

  /** Registers the accumulators; call once per application. */
  public static ClusterJob register(JavaSparkContext jsc) {
    return new ClusterJob(jsc);
  }

  /**
   * One job of {@code partitions} tasks, each reading partition p's records (the same as the
   * Python tasks read) and counting records and bytes with the accumulators.
   *
   * @return the number of records the tasks returned
   */
  public long run(JavaSparkContext jsc, int partitions) {
    PidlessAccumulator records = this.records;
    PidlessAccumulator bytes = this.bytes;
    return jsc.parallelize(IntStream.range(0, partitions).boxed().collect(Collectors.toList()), partitions)
        .flatMap(p -> recordsOf(p).iterator())
        .map(line -> {
          records.add(1);
          bytes.add(line.length());
          return line;
        })
        .collect()
        .size();
  }

  /** The driver's values of both accumulators: what Prometheus must show. */
  public long[] values() {
    return new long[] {records.value(), bytes.value()};
  }

  /** Partition {@code p}'s records: 40 + p lines of varying length, as pyspark_app.records_of. */
  static List<String> recordsOf(int p) {
    List<String> rs = new ArrayList<>();
    for (int j = 0; j < 40 + p; j++) {
      rs.add(p + ":" + j + ":" + "x".repeat((p * 7 + j) % 17));
    }
    return rs;
  }
}
