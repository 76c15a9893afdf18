package io.pidless.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the aggregator jar under test is, and the java that runs it. Tests start the real shaded jar
 * as users do, so a test that passes has run what ships. The jar comes from
 * {@code -Dpidless.aggregator.jar}, else {@code PIDLESS_AGGREGATOR_JAR}, else
 * {@code aggregator/target/pidless-aggregator.jar} of the repository the test runs in (the nearest
 * directory at or above the working directory that holds {@code aggregator/pom.xml}); Maven runs each
 * module's tests in the module's directory, so that is this checkout's jar.
 *
 * <pre>{@code
 * Path jar = AggregatorJar.path();   // fails, saying how to build it, when it is not there
 * }</pre>
 */
public final class AggregatorJar {
  static final String PROPERTY = "pidless.aggregator.jar";
  static final String ENV = "PIDLESS_AGGREGATOR_JAR";
  private static final Path IN_REPO = Path.of("aggregator", "target", "pidless-aggregator.jar");

  private AggregatorJar() {}

  /** The jar; fails when it has not been built. */
  public static Path path() {
    String configured = System.getProperty(PROPERTY, System.getenv(ENV));
    Path jar = configured == null || configured.isBlank() ? inRepository() : Path.of(configured);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("aggregator jar " + jar.toAbsolutePath() + " not found: build it with"
          + " `mvn -pl aggregator -am package`, or set " + ENV + " to a built jar");
    }
    return jar;
  }

  /** The java of this JVM: the aggregator runs on the JDK the tests run on. */
  public static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Path inRepository() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path dir = cwd; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("aggregator").resolve("pom.xml"))) {
        return dir.resolve(IN_REPO);
      }
    }
    throw new IllegalStateException("no pidless repository (a directory with aggregator/pom.xml) at or above "
        + cwd + ": set -D" + PROPERTY + " or " + ENV + " to a built aggregator jar");
  }
}
