package io.pidless.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorJar;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Await;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Separate JVMs that run from the shaded client jar alone (so it needs nothing but the JDK),
 * increment, and end by returning from main, by System.exit, or by SIGKILL after a flush.
 */
class ShortLivedJvmIT {
  private static AggregatorProcess aggregator;

  @BeforeAll
  static void startAggregator() throws Exception {
    aggregator = AggregatorProcess.startOnTempSocket();
  }

  @AfterAll
  static void stopAggregator() throws Exception {
    aggregator.close();
  }

  @Test
  void workersEndingEveryWayAddUpExactly() throws Exception {
    List<Process> exiting = new ArrayList<>();
    int[] counts = {1000, 2001, 30_000, 7};
    String[] modes = {"return", "exit", "return", "exit"};
    for (int i = 0; i < counts.length; i++) {
      exiting.add(worker(aggregator.socket(), modes[i], counts[i]));
    }
    Process killed = worker(aggregator.socket(), "flush-then-wait", 5000);
    try (BufferedReader out = new BufferedReader(new InputStreamReader(killed.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("FLUSHED", out.readLine(), "the killed worker must flush before it is killed");
    }
    killed.destroyForcibly();
    assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, killed.exitValue(), "SIGKILL");
    for (Process p : exiting) {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "worker did not exit");
      assertEquals(0, p.exitValue());
    }

    long total = 1000 + 2001 + 30_000 + 7 + 5000;
    Scrape s = aggregator.scrape();
    assertEquals(total, s.value("worker_ops_total"));
    assertEquals(total, s.value("worker_op_size_count"));
    assertEquals(0.0, s.value("worker_op_size_bucket{le=\"1.0\"}"));
    assertEquals(total, s.value("worker_op_size_bucket{le=\"2.0\"}"));
    assertEquals(2.0 * total, s.value("worker_op_size_sum"));
    Await.awaitValue("every worker's live gauge gone once its connection closed",
        () -> aggregator.scrape().value("worker_alive"), v -> v == 0.0);
  }

  @Test
  void workerWithoutAggregatorExitsPromptlyAndCleanly() throws Exception {
    try (TempSocketDir none = new TempSocketDir()) {
      Process p = worker(none.socket(), "exit", 100);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exit was held up by the client");
      assertEquals(0, p.exitValue());
    }
  }

  private static Process worker(Path socket, String mode, int count) throws Exception {
    String cp = System.getProperty("pidless.client.jar", "target/pidless-client-jvm.jar") + File.pathSeparator
        + System.getProperty("pidless.test.classes", "target/test-classes");
    ProcessBuilder pb = new ProcessBuilder(AggregatorJar.javaBin(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
        "-cp", cp, Worker.class.getName(), mode, Integer.toString(count));
    pb.environment().put("PIDLESS_SOCKET", socket.toString());
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return pb.start();
  }
}
