package io.pidless.bench.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The footprint scenario's JVM options come from the env file deploy/ ships, and nowhere else. */
class DeployEnvTest {
  @Test
  void readsTheJavaOptionsOfTheShippedEnvFile() throws Exception {
    List<String> jvm = DeployEnv.javaOptions(Path.of("../../deploy/systemd/pidless.env"));
    assertTrue(jvm.contains("-Xmx256m") && jvm.contains("-XX:+UseSerialGC"), jvm.toString());
  }

  @Test
  void splitsOnWhitespaceAndIgnoresOtherLines(@TempDir Path tmp) throws Exception {
    Path env = Files.writeString(tmp.resolve("x.env"), "# PIDLESS_JAVA_OPTS=-Xmx1m\nPIDLESS_TTL=1m\n"
        + "PIDLESS_JAVA_OPTS=-Xmx64m  -Xms8m\n");
    assertEquals(List.of("-Xmx64m", "-Xms8m"), DeployEnv.javaOptions(env));
  }

  @Test
  void aFileWithoutTheVariableNamesItself(@TempDir Path tmp) throws Exception {
    Path env = Files.writeString(tmp.resolve("x.env"), "PIDLESS_TTL=1m\n");
    Exception e = assertThrows(java.io.IOException.class, () -> DeployEnv.javaOptions(env));
    assertTrue(e.getMessage().contains(env + " has no PIDLESS_JAVA_OPTS= line"), e.getMessage());
  }
}
