package io.pidless.bench.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM options deploy/ ships, read from {@code deploy/systemd/pidless.env}'s {@code PIDLESS_JAVA_OPTS}
 * line, so the footprint scenario measures what runs on a node and no copy of the flags can drift.
 *
 * <pre>{@code
 * List<String> jvm = DeployEnv.javaOptions(Path.of("deploy/systemd/pidless.env"));   // [-Xmx256m, ...]
 * }</pre>
 */
final class DeployEnv {
  static final String VARIABLE = "PIDLESS_JAVA_OPTS";

  private DeployEnv() {}

  static List<String> javaOptions(Path envFile) throws IOException {
    if (envFile == null) {
      throw new IllegalArgumentException("the footprint scenario needs deploy's JVM options: pass --deploy-env"
          + " deploy/systemd/pidless.env or set PIDLESS_DEPLOY_ENV (run.sh does)");
    }
    for (String line : Files.readAllLines(envFile)) {
      if (line.startsWith(VARIABLE + "=")) {
        return Arrays.asList(line.substring(VARIABLE.length() + 1).trim().split("\\s+"));
      }
    }
    throw new IOException(envFile + " has no " + VARIABLE + "= line; point --deploy-env at deploy/systemd/pidless.env");
  }
}
