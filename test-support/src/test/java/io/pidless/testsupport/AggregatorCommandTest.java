package io.pidless.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command lines and environment, with {@code -Dpidless.aggregator.jar} pointed at a stand-in file. */
class AggregatorCommandTest {
  private Path jar;

  @BeforeEach
  void standInJar() throws Exception {
    jar = Files.createTempFile("pidless-aggregator", ".jar");
    System.setProperty(AggregatorJar.PROPERTY, jar.toString());
  }

  @AfterEach
  void removeStandIn() throws Exception {
    System.clearProperty(AggregatorJar.PROPERTY);
    Files.deleteIfExists(jar);
  }

  @Test
  void javadocExampleOnASocketListensOnAFreeLoopbackPort() {
    Path socket = Path.of("/tmp/pl1/p.sock");
    assertEquals(List.of(AggregatorJar.javaBin(), "-Xmx256m", "-jar", jar.toString(), "--socket", socket.toString(),
        "--listen", "127.0.0.1:0", "--ttl", "1s"), AggregatorCommand.on(socket, "--ttl", "1s").line());
  }

  @Test
  void javadocExampleDeployedSetsExactlyTheGivenVariablesAndJvmOptions() {
    AggregatorCommand deployed = AggregatorCommand.flags()
        .env(Map.of("PIDLESS_SOCKET", "/tmp/pl1/p.sock", "PIDLESS_LISTEN", "127.0.0.1:0"))
        .jvmOptions(List.of("-Xmx64m"));
    ProcessBuilder pb = deployed.processBuilder();
    assertEquals(List.of(AggregatorJar.javaBin(), "-Xmx64m", "-jar", jar.toString()), pb.command());
    assertEquals(List.of("PIDLESS_LISTEN", "PIDLESS_SOCKET"),
        pb.environment().keySet().stream().filter(k -> k.startsWith("PIDLESS_")).sorted().toList());
    assertFalse(pb.environment().containsKey("JAVA_TOOL_OPTIONS"));
    assertTrue(pb.environment().containsKey("PATH"), "the rest of the environment is kept");
  }

  @Test
  void aGivenJarIsRunInsteadOfTheOneFound() {
    Path socket = Path.of("/tmp/pl1/p.sock");
    Path other = Path.of("/opt/bench/pidless-aggregator.jar");
    assertEquals(List.of(AggregatorJar.javaBin(), "-Xmx2g", "-jar", other.toString(), "--socket", socket.toString(),
        "--listen", "127.0.0.1:0"), AggregatorCommand.on(socket).jar(other).jvmOptions(List.of("-Xmx2g")).line());
  }

  @Test
  void deployedRunsUnderTheJvmOptionsOfDeploySystemdPidlessEnv() throws Exception {
    Path socket = Path.of("/tmp/pl1/p.sock");
    String shipped = Files.readAllLines(Path.of("../deploy/systemd/pidless.env")).stream()
        .filter(l -> l.startsWith("PIDLESS_JAVA_OPTS=")).findFirst().orElseThrow()
        .substring("PIDLESS_JAVA_OPTS=".length());
    List<String> expected = new ArrayList<>(List.of(AggregatorJar.javaBin()));
    expected.addAll(List.of(shipped.split(" ")));
    expected.addAll(List.of("-jar", jar.toString(), "--socket", socket.toString(), "--listen", "127.0.0.1:0"));
    assertEquals(expected, AggregatorCommand.on(socket).deployed().line());
  }

  @Test
  void aMissingJarFailsSayingHowToBuildIt() throws Exception {
    Files.delete(jar);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AggregatorCommand.flags("--help").line());
    assertTrue(e.getMessage().contains(jar + " not found") && e.getMessage().contains("mvn -pl aggregator -am package"),
        e.getMessage());
  }
}
