package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd unit: hardened, socket in its RuntimeDirectory reachable by the pidless group only,
 * settings from the environment file; and {@code systemd-analyze} accepts it where that tool exists.
 */
class SystemdUnitTest {
  private static final String ANALYZE_MISSING = "systemd-analyze is not installed here; "
      + SystemdUnit.UNIT + " is checked for its directives only";

  @Test
  void runsTheJarAsADedicatedUserAndGroup() {
    assertEquals("pidless", SystemdUnit.single("User"));
    assertEquals("pidless", SystemdUnit.single("Group"));
    assertEquals("/etc/pidless/pidless.env", SystemdUnit.single("EnvironmentFile"));
    assertEquals("/usr/bin/java $PIDLESS_JAVA_OPTS -jar /opt/pidless/pidless-aggregator.jar", SystemdUnit.single("ExecStart"));
    String sysusers = DeployFiles.text("systemd/pidless.sysusers.conf");
    assertTrue(sysusers.contains("\ng pidless -\n"), sysusers);
    assertTrue(sysusers.contains("\nu pidless -:pidless "), sysusers);
  }

  @Test
  void socketLivesInTheRuntimeDirectoryOpenToTheGroupOnly() {
    assertEquals("pidless", SystemdUnit.single("RuntimeDirectory"));
    assertEquals("0750", SystemdUnit.single("RuntimeDirectoryMode"));
    Map<String, String> env = SystemdUnit.environmentFile();
    assertEquals("/run/pidless/pidless.sock", env.get("PIDLESS_SOCKET"));
    assertEquals("0660", env.get("PIDLESS_SOCKET_MODE"));
  }

  @Test
  void keepsTheStateFileInTheStateDirectoryWhichOutlivesAStop() {
    assertEquals("pidless", SystemdUnit.single("StateDirectory"));
    assertEquals("0700", SystemdUnit.single("StateDirectoryMode"));
    assertEquals("/var/lib/pidless/pidless.state", SystemdUnit.environmentFile().get("PIDLESS_STATE_FILE"));
  }

  @Test
  void isHardened() {
    Map<String, String> expected = Map.ofEntries(
        Map.entry("ProtectSystem", "strict"), Map.entry("ProtectHome", "yes"), Map.entry("PrivateTmp", "yes"),
        Map.entry("NoNewPrivileges", "yes"), Map.entry("PrivateDevices", "yes"),
        Map.entry("CapabilityBoundingSet", ""), Map.entry("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
        Map.entry("RestrictSUIDSGID", "yes"), Map.entry("ProtectKernelTunables", "yes"));
    expected.forEach((key, value) -> assertEquals(value, SystemdUnit.single(key), key));
    // The JIT needs writable executable memory; this setting would kill the JVM at start.
    assertFalse(SystemdUnit.directives().containsKey("MemoryDenyWriteExecute"));
  }

  @Test
  void memoryMatchesTheKubernetesSizing() {
    String jvm = SystemdUnit.environmentFile().get("PIDLESS_JAVA_OPTS");
    MemorySizing k8s = MemorySizing.ofDaemonSet();
    assertEquals(k8s.limitBytes(), MemorySizing.bytes(SystemdUnit.single("MemoryMax")), "MemoryMax vs the DaemonSet's limit");
    assertTrue(List.of(jvm.split(" ")).contains("-Xmx" + k8s.heapBytes() / (1024 * 1024) + "m"),
        "the unit's heap must be the DaemonSet's (limit x MaxRAMPercentage): " + jvm);
  }

  @Test
  void systemdAnalyzeVerifiesTheUnitWithoutAWord(@TempDir Path tmp) throws IOException {
    Path analyze = Command.onPath("systemd-analyze").orElse(null);
    assumeTrue(analyze != null, ANALYZE_MISSING);
    Path unit = Files.copy(DeployFiles.path(SystemdUnit.UNIT), tmp.resolve("pidless.service"));
    Command.Result r = Command.run(tmp, analyze.toString(), "verify", unit.toString());
    // verify exits 0 on many problems (an unknown value is "ignored"), so any message fails too.
    assertEquals(0, r.exitCode(), r.describe());
    assertEquals("", r.stdout() + r.stderr(), r.describe());
  }

  @Test
  void systemdAnalyzeRatesTheUnitExposureLow(@TempDir Path tmp) throws IOException {
    Path analyze = Command.onPath("systemd-analyze").orElse(null);
    assumeTrue(analyze != null, ANALYZE_MISSING);
    Path unit = Files.copy(DeployFiles.path(SystemdUnit.UNIT), tmp.resolve("pidless.service"));
    // Exposure 0 (locked down) .. 10 (unprotected); the threshold is in tenths. 2.0 is "OK".
    Command.Result r = Command.run(tmp, analyze.toString(), "security", "--offline=true", "--threshold=20", unit.toString());
    assertEquals(0, r.exitCode(), r.describe());
  }
}
