package io.pidless.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkMetricNamesTest {

  @Test
  void javadocExampleStripsBothIdsAndMapsTheRest() {
    SparkMetricNames names = new SparkMetricNames("app-20261203-0001", "7");
    assertEquals("ExecutorMetrics.JVMHeapMemory", names.strip("app-20261203-0001.7.ExecutorMetrics.JVMHeapMemory"));
    assertEquals("spark_executor_metrics_jvm_heap_memory", SparkMetricNames.prometheus("ExecutorMetrics.JVMHeapMemory"));
  }

  @Test
  void namespaceSettingReplacesTheApplicationIdAndDriverIsAnExecutorId() {
    SparkConf conf = new SparkConf(false).set("spark.app.id", "app-1").set("spark.executor.id", "driver")
        .set("spark.metrics.namespace", "etl.daily");
    assertEquals("DAGScheduler.stage.runningStages", SparkMetricNames.of(conf).strip("etl.daily.driver.DAGScheduler.stage.runningStages"));
    SparkConf noNamespace = new SparkConf(false).set("spark.app.id", "app-1").set("spark.executor.id", "3");
    assertEquals("jvm.heap.used", SparkMetricNames.of(noNamespace).strip("app-1.3.jvm.heap.used"));
  }

  @Test
  void namesWithoutThePrefixAreKeptWhole() {
    assertEquals("master.workers", new SparkMetricNames("app-1", "driver").strip("master.workers"));
  }

  @Test
  void wordsSplitAtDotsDashesCamelCaseAndAcronyms() {
    assertEquals("spark_executor_threadpool_current_pool_size", SparkMetricNames.prometheus("executor.threadpool.currentPool_size"));
    assertEquals("spark_jvm_g1_young_generation_count", SparkMetricNames.prometheus("jvm.G1-Young-Generation.count"));
    assertEquals("spark_jvmcpu_jvm_cpu_time", SparkMetricNames.prometheus("JVMCPU.jvmCpuTime"));
    assertEquals("spark_block_manager_memory_mem_used_mb", SparkMetricNames.prometheus("BlockManager.memory.memUsed_MB"));
    assertEquals("spark_netty_block_transfer_shuffle_client_used_direct_memory",
        SparkMetricNames.prometheus("NettyBlockTransfer.shuffle-client.usedDirectMemory"));
    assertEquals("spark_executor_metrics_process_tree_python_rss_memory",
        SparkMetricNames.prometheus("ExecutorMetrics.ProcessTreePythonRSSMemory"));
    assertEquals("spark_live_listener_bus_queue_app_status_size", SparkMetricNames.prometheus("LiveListenerBus.queue.appStatus.size"));
    assertEquals("spark_jvm_pools_g1_eden_space_usage", SparkMetricNames.prometheus("jvm.pools.G1-Eden-Space.usage."));
  }
}
