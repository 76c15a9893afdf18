package io.pidless.spark;

import io.pidless.client.Counter;
import io.pidless.client.Histogram;
import io.pidless.client.PidlessClient;
import org.apache.spark.executor.TaskMetrics;

/**
 * The task metrics {@link PidlessPlugin} exports, one series each per application: records and bytes
 * read and written (input, output, shuffle), spills, GC and CPU time as counters, run time as a
 * histogram, and task attempts by outcome. Values are Spark's own {@link TaskMetrics}, converted to
 * seconds where Spark counts milli- or nanoseconds.
 */
final class TaskMetricsExporter {
  static final String SUCCEEDED = "succeeded";
  static final String FAILED = "failed";
  /** Run-time buckets in seconds, from a quick task to an hour-long one. */
  static final double[] RUN_SECONDS_BUCKETS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600};

  private final Counter.Child recordsRead;
  private final Counter.Child bytesRead;
  private final Counter.Child recordsWritten;
  private final Counter.Child bytesWritten;
  private final Counter.Child shuffleRecordsRead;
  private final Counter.Child shuffleBytesRead;
  private final Counter.Child shuffleRecordsWritten;
  private final Counter.Child shuffleBytesWritten;
  private final Counter.Child memorySpilled;
  private final Counter.Child diskSpilled;
  private final Counter.Child gcSeconds;
  private final Counter.Child cpuSeconds;
  private final Histogram.Child runSeconds;
  private final Counter.Child succeeded;
  private final Counter.Child failed;

  TaskMetricsExporter(PidlessClient client, PidlessConf conf) {
    recordsRead = counter(client, conf, "spark_task_records_read_total", "Records tasks read from input.");
    bytesRead = counter(client, conf, "spark_task_bytes_read_total", "Bytes tasks read from input.");
    recordsWritten = counter(client, conf, "spark_task_records_written_total", "Records tasks wrote to output.");
    bytesWritten = counter(client, conf, "spark_task_bytes_written_total", "Bytes tasks wrote to output.");
    shuffleRecordsRead = counter(client, conf, "spark_task_shuffle_records_read_total", "Shuffle records tasks read.");
    shuffleBytesRead = counter(client, conf, "spark_task_shuffle_bytes_read_total",
        "Shuffle bytes tasks read, local and remote.");
    shuffleRecordsWritten = counter(client, conf, "spark_task_shuffle_records_written_total",
        "Shuffle records tasks wrote.");
    shuffleBytesWritten = counter(client, conf, "spark_task_shuffle_bytes_written_total", "Shuffle bytes tasks wrote.");
    memorySpilled = counter(client, conf, "spark_task_memory_spilled_bytes_total", "Bytes tasks spilled from memory.");
    diskSpilled = counter(client, conf, "spark_task_disk_spilled_bytes_total", "Bytes tasks spilled to disk.");
    gcSeconds = counter(client, conf, "spark_task_gc_seconds_total", "JVM GC time while tasks ran.");
    cpuSeconds = counter(client, conf, "spark_task_cpu_seconds_total", "CPU time of tasks.");
    runSeconds = Histogram.build("spark_task_run_seconds", "Run time of task attempts.")
        .buckets(RUN_SECONDS_BUCKETS).labelNames(conf.labelNames).register(client).labels(conf.labelValues);
    Counter tasks = Counter.build("spark_tasks_total", "Task attempts by outcome.")
        .labelNames(conf.labelNamesWith("outcome")).register(client);
    succeeded = tasks.labels(conf.labelValuesWith(SUCCEEDED));
    failed = tasks.labels(conf.labelValuesWith(FAILED));
  }

  private static Counter.Child counter(PidlessClient client, PidlessConf conf, String name, String help) {
    return Counter.build(name, help).labelNames(conf.labelNames).register(client).labels(conf.labelValues);
  }

  /** Adds one finished task attempt. Spark's counters never go negative, so inc never throws here. */
  void record(TaskMetrics m, String outcome) {
    recordsRead.inc(m.inputMetrics().recordsRead());
    bytesRead.inc(m.inputMetrics().bytesRead());
    recordsWritten.inc(m.outputMetrics().recordsWritten());
    bytesWritten.inc(m.outputMetrics().bytesWritten());
    shuffleRecordsRead.inc(m.shuffleReadMetrics().recordsRead());
    shuffleBytesRead.inc(m.shuffleReadMetrics().totalBytesRead());
    shuffleRecordsWritten.inc(m.shuffleWriteMetrics().recordsWritten());
    shuffleBytesWritten.inc(m.shuffleWriteMetrics().bytesWritten());
    memorySpilled.inc(m.memoryBytesSpilled());
    diskSpilled.inc(m.diskBytesSpilled());
    gcSeconds.inc(m.jvmGCTime() / 1e3);
    cpuSeconds.inc(m.executorCpuTime() / 1e9);
    runSeconds.observe(m.executorRunTime() / 1e3);
    (FAILED.equals(outcome) ? failed : succeeded).inc();
  }
}
