package io.pidless.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.GaugeMode;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class GaugeModesTest {

  @Test
  void memoryAddsUpAndRatiosTakeTheFullestLiveJvm() {
    GaugeModes modes = GaugeModes.of(new SparkConf(false));
    assertEquals(GaugeMode.LIVESUM, modes.modeOf("spark_executor_metrics_jvm_heap_memory"));
    assertEquals(GaugeMode.LIVESUM, modes.modeOf("spark_executor_threadpool_active_tasks"));
    assertEquals(GaugeMode.LIVEMAX, modes.modeOf("spark_jvm_heap_usage"));
  }

  @Test
  void configuredPatternsComeBeforeTheDefaultsInModeOrder() {
    GaugeModes modes = GaugeModes.of(new SparkConf(false)
        .set(GaugeModes.PREFIX + "max", "spark_executor_metrics_.*")
        .set(GaugeModes.PREFIX + "livemin", "spark_executor_metrics_jvm_.*|spark_jvm_heap_usage"));
    assertEquals(GaugeMode.LIVEMIN, modes.modeOf("spark_executor_metrics_jvm_heap_memory"));
    assertEquals(GaugeMode.MAX, modes.modeOf("spark_executor_metrics_on_heap_execution_memory"));
    assertEquals(GaugeMode.LIVEMIN, modes.modeOf("spark_jvm_heap_usage"));
    assertEquals(GaugeMode.LIVESUM, modes.modeOf("spark_jvm_heap_used"));
  }

  @Test
  void badModeOrRegexNamesTheKey() {
    IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
        () -> GaugeModes.of(new SparkConf(false).set(GaugeModes.PREFIX + "sum", ".*")));
    assertTrue(mode.getMessage().startsWith(GaugeModes.PREFIX + "sum: unknown gauge mode 'sum'; choose from livesum"),
        mode.getMessage());
    IllegalArgumentException regex = assertThrows(IllegalArgumentException.class,
        () -> GaugeModes.of(new SparkConf(false).set(GaugeModes.PREFIX + "max", "spark_(")));
    assertTrue(regex.getMessage().startsWith(GaugeModes.PREFIX + "max: invalid regex 'spark_('"), regex.getMessage());
  }
}
