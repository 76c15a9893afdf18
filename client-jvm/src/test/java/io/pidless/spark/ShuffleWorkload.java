package io.pidless.spark;

import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * Reads a text file, shuffles and collects: input and shuffle counters move on every executor. Its
 * own class, with Spark as its only dependency, because executors deserialize its lambdas from the
 * test classes directory without JUnit or test-support.
 */
final class ShuffleWorkload {
  private ShuffleWorkload() {}

  /** Lines per {@code line.length() % 7}. */
  static Map<Integer, Integer> run(JavaSparkContext sc, String path) {
    return sc.textFile(path, 4)
        .mapToPair(line -> new Tuple2<>(line.length() % 7, 1))
        .reduceByKey(Integer::sum, 4)
        .collectAsMap();
  }
}
