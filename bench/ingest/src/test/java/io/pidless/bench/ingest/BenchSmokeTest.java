package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pidless.testsupport.AggregatorJar;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every scenario once, at the smoke scale, against the real aggregator jar ({@link AggregatorJar#path()}).
 * Each scenario checks its scraped totals exactly and throws when they differ, so exit 0 means every
 * total matched.
 */
class BenchSmokeTest {
  @Test
  void everyScenarioRunsAndItsTotalsAreExact() throws Exception {
    Path jar = AggregatorJar.path();
    int exit = BenchMain.run(new String[] {"--aggregator-jar", jar.toString(), "--quick", "--warmup", "1",
        "--duration", "1", "--repeats", "1", "--deploy-env",
        Path.of("../../deploy/systemd/pidless.env").toAbsolutePath().normalize().toString()});
    assertEquals(0, exit);
  }
}
