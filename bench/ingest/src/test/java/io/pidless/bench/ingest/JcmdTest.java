package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs the real jcmd against this test JVM. */
class JcmdTest {
  @Test
  void readsUsedHeapAndClassHistogramOfARunningJvm() throws Exception {
    byte[][] held = new byte[64][];
    for (int i = 0; i < held.length; i++) {
      held[i] = new byte[64 * 1024];
    }
    long pid = ProcessHandle.current().pid();
    long used = Jcmd.usedHeapAfterFullGc(pid);
    assertTrue(used >= 4L * 1024 * 1024, "used heap " + used + " below the 4 MiB this test holds");
    Map<String, Long> histogram = Jcmd.classHistogram(pid);
    assertTrue(histogram.getOrDefault("[B", 0L) >= 4L * 1024 * 1024, "byte[] bytes: " + histogram.get("[B"));
    assertTrue(held[63].length > 0);
  }
}
