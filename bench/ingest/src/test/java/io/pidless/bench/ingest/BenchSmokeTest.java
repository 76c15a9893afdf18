package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every scenario once, at the smoke scale, against the real aggregator jar (pidless.aggregator.jar,
 * PIDLESS_AGGREGATOR_JAR, else the repo's aggregator/target/pidless-aggregator.jar). Each scenario
 * checks its scraped totals exactly and throws when they differ, so exit 0 means every total matched.
 */
class BenchSmokeTest {
  @Test
  void everyScenarioRunsAndItsTotalsAreExact() throws Exception {
    Path jar = aggregatorJar();
    assertTrue(Files.isRegularFile(jar), "no aggregator jar at " + jar + "; build it or set PIDLESS_AGGREGATOR_JAR");
    int exit = BenchMain.run(new String[] {"--aggregator-jar", jar.toString(), "--quick", "--warmup", "1",
        "--duration", "1", "--repeats", "1", "--deploy-env",
        Path.of("../../deploy/systemd/pidless.env").toAbsolutePath().normalize().toString()});
    assertEquals(0, exit);
  }

  private static Path aggregatorJar() {
    String configured = System.getProperty("pidless.aggregator.jar", System.getenv("PIDLESS_AGGREGATOR_JAR"));
    return configured != null ? Path.of(configured)
        : Path.of("../../aggregator/target/pidless-aggregator.jar").toAbsolutePath().normalize();
  }
}
