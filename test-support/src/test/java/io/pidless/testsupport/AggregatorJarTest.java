package io.pidless.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AggregatorJarTest {
  @Test
  void withNothingConfiguredItIsThisRepositorysBuiltJar() {
    assumeTrue(System.getProperty(AggregatorJar.PROPERTY) == null && System.getenv(AggregatorJar.ENV) == null,
        "a jar is configured");
    // Maven runs this module's tests in test-support/, one below the repository root.
    Path expected = Path.of("").toAbsolutePath().getParent().resolve("aggregator/target/pidless-aggregator.jar");
    try {
      assertEquals(expected, AggregatorJar.path());
    } catch (IllegalStateException notBuiltYet) {
      assertTrue(notBuiltYet.getMessage().startsWith("aggregator jar " + expected + " not found"),
          notBuiltYet.getMessage());
    }
  }
}
