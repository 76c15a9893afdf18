package io.pidless.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class PidlessConfTest {
  private static SparkConf app() {
    return new SparkConf(false).set("spark.app.name", "etl").set("spark.app.id", "app-1");
  }

  @Test
  void defaultsLabelByApplicationNameOnly() {
    PidlessConf c = new PidlessConf(app());
    assertArrayEquals(new String[] {"app_name"}, c.labelNames);
    assertArrayEquals(new String[] {"etl"}, c.labelValues);
    assertEquals(Duration.ofSeconds(1), c.flushInterval);
    assertEquals(Duration.ofSeconds(5), c.shutdownTimeout);
    assertTrue(c.taskMetrics && c.accumulators && c.jobMetrics);
  }

  @Test
  void everyKeyIsRead() {
    PidlessConf c = new PidlessConf(app().set("spark.pidless.socket", "/run/pidless/p.sock")
        .set("spark.pidless.flushInterval", "250ms").set("spark.pidless.shutdownTimeout", "2s")
        .set("spark.pidless.labels", "app_id, app_name").set("spark.pidless.label.cluster", "prod")
        .set("spark.pidless.executor.taskMetrics", "false").set("spark.pidless.driver.accumulators", "false")
        .set("spark.pidless.driver.jobMetrics", "false").set("spark.pidless.metricsSystem", "true")
        .set("spark.pidless.metricsSystem.period", "5s").set("spark.pidless.sink.counterAsGauge", "spark_x_total"));
    assertEquals(Path.of("/run/pidless/p.sock"), c.socket);
    assertEquals(Duration.ofMillis(250), c.flushInterval);
    assertEquals(Duration.ofSeconds(2), c.shutdownTimeout);
    assertArrayEquals(new String[] {"app_id", "app_name", "cluster", "outcome"}, c.labelNamesWith("outcome"));
    assertArrayEquals(new String[] {"app-1", "etl", "prod", "failed"}, c.labelValuesWith("failed"));
    assertFalse(c.taskMetrics || c.accumulators || c.jobMetrics);
    assertTrue(c.metricsSystem);
    assertEquals(Duration.ofSeconds(5), c.metricsSystemPeriod);
    assertTrue(c.counterAsGauge.matcher("spark_x_total").matches());
  }

  @Test
  void metricsSystemIsOffByDefaultAndABadRegexNamesTheKey() {
    PidlessConf c = new PidlessConf(app());
    assertFalse(c.metricsSystem);
    assertEquals(Duration.ofSeconds(10), c.metricsSystemPeriod);
    assertFalse(c.counterAsGauge.matcher("spark_executor_succeeded_tasks_total").matches());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PidlessConf(app().set("spark.pidless.sink.counterAsGauge", "[")));
    assertTrue(e.getMessage().startsWith("spark.pidless.sink.counterAsGauge: invalid regex '['"), e.getMessage());
  }

  @Test
  void emptyLabelsAreAllowed() {
    assertEquals(0, new PidlessConf(app().set("spark.pidless.labels", "")).labelNames.length);
  }

  @Test
  void perExecutorLabelIsRefusedWithTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PidlessConf(app().set("spark.pidless.labels", "app_name,executor_id")));
    assertTrue(e.getMessage().contains("unknown label 'executor_id'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PidlessConf(app().set("spark.pidless.label.bad-name", "x")));
  }
}
