package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorJar;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.Scrape;
import io.pidless.testsupport.TempSocketDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The settings each deployment gives the aggregator are ones it accepts and acts on: the real jar is
 * started with the systemd environment file, the DaemonSet's env and the image's ENV (only the socket
 * path and listen address moved to a test directory and loopback), answers its probe path, applies
 * the limits and socket mode, and stops cleanly on SIGTERM.
 */
class DeployedSettingsTest {
  /** Variables the aggregator reads that are not flags. */
  private static final List<String> NOT_FLAGS = List.of("PIDLESS_LOG_LEVEL", "PIDLESS_JAVA_OPTS");

  static Stream<Arguments> deployments() {
    Map<String, String> daemonSet = KubernetesManifestsTest.env(Tree.named(Tree.list(
        DeployFiles.yaml("kubernetes/daemonset.yaml"), "spec.template.spec.containers"), "aggregator"));
    Map<String, String> systemd = SystemdUnit.environmentFile();
    return Stream.of(
        Arguments.of("systemd pidless.env", systemd, List.of(systemd.get("PIDLESS_JAVA_OPTS").split(" "))),
        Arguments.of("DaemonSet env", daemonSet, List.of("-XX:MaxRAM=" + MemorySizing.ofDaemonSet().limitBytes())),
        Arguments.of("Dockerfile ENV", Dockerfile.env(), List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deployments")
  void aggregatorRunsWithTheDeployedSettings(String name, Map<String, String> deployed, List<String> jvmOptions,
      @TempDir Path tmp) throws Exception {
    TempSocketDir dir = new TempSocketDir();
    Path socket = dir.socket();
    Map<String, String> env = new LinkedHashMap<>(deployed);
    env.remove("PIDLESS_JAVA_OPTS");
    env.put("PIDLESS_SOCKET", socket.toString());
    env.put("PIDLESS_LISTEN", "127.0.0.1:0");
    Path state = deployed.containsKey("PIDLESS_STATE_FILE") ? dir.path().resolve("elsewhere.state")
        : dir.path().resolve("pidless.state");
    if (deployed.containsKey("PIDLESS_STATE_FILE")) {
      env.put("PIDLESS_STATE_FILE", state.toString());
    }
    List<String> jvm = new ArrayList<>(jvmOptions);
    jvm.add("-Djava.io.tmpdir=" + tmp);   // the emptyDir / PrivateTmp: Netty unpacks its library there
    try (dir; AggregatorProcess agg = AggregatorProcess.start(AggregatorCommand.flags().jvmOptions(jvm).env(env))) {
      agg.get("/-/healthy");
      Scrape metrics = agg.scrape();
      assertEquals(Double.parseDouble(deployed.getOrDefault("PIDLESS_MAX_SERIES", "100000")),
          metrics.value("pidless_series_limit"), name);
      assertEquals(Double.parseDouble(deployed.getOrDefault("PIDLESS_MAX_CONNECTIONS", "4096")),
          metrics.value("pidless_connections_limit"), name);
      assertEquals(mode(deployed.getOrDefault("PIDLESS_SOCKET_MODE", "0660")),
          PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)), name + ": socket mode");
      assertEquals(0, agg.stop(), agg.output());
      assertFalse(Files.exists(socket), "the socket outlived a SIGTERM");
      assertTrue(Files.exists(state), name + ": the state file was saved on SIGTERM");
    }
  }

  @Test
  void everyDeployedVariableIsAFlagTheAggregatorKnows() throws Exception {
    String help = Command.run(DeployFiles.deployDir(), AggregatorJar.javaBin(),
        "-jar", AggregatorJar.path().toString(), "--help").stdout();
    assertTrue(help.contains("[PIDLESS_SOCKET]"), help);
    deployments().forEach(args -> {
      @SuppressWarnings("unchecked")
      Map<String, String> env = (Map<String, String>) args.get()[1];
      env.keySet().stream().filter(k -> k.startsWith("PIDLESS_") && !NOT_FLAGS.contains(k))
          .forEach(k -> assertTrue(help.contains("[" + k + "]"), args.get()[0] + " sets " + k + ", which --help does not list"));
    });
  }

  /** 0660 as {@code rw-rw----}. */
  private static String mode(String octal) {
    int bits = Integer.parseInt(octal, 8);
    StringBuilder sb = new StringBuilder();
    for (int shift = 6; shift >= 0; shift -= 3) {
      int b = bits >> shift;
      sb.append((b & 4) != 0 ? 'r' : '-').append((b & 2) != 0 ? 'w' : '-').append((b & 1) != 0 ? 'x' : '-');
    }
    return sb.toString();
  }
}
