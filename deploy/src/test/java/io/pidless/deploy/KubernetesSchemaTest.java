package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the cluster would receive is well-formed: {@code kubectl kustomize deploy/kubernetes} renders,
 * and every rendered object, plus the Spark pod template, matches the Kubernetes and
 * prometheus-operator schemas with no field that no schema names (see src/test/schema). Types, enums,
 * patterns, required fields and spelling are theirs to check; {@link KubernetesManifestsTest} checks
 * what the fields mean for pidless. A broken copy of the manifests shows that a mistake fails the
 * build with the file, line, object and field.
 */
class KubernetesSchemaTest {
  private static final String KUSTOMIZATION = "deploy/kubernetes";
  private static final String POD_TEMPLATE = KUSTOMIZATION + "/spark-pod-template.yaml";

  @Test
  void everyRenderedObjectAndTheSparkPodTemplateMatchTheirSchemas() {
    Command.Result r = KubernetesSchema.check(DeployFiles.repoDir(), KUSTOMIZATION, POD_TEMPLATE);
    assertEquals(0, r.exitCode(), r.describe());
    for (String checked : new String[] {
        "ok Namespace pidless (" + KUSTOMIZATION + "/namespace.yaml)",
        "ok DaemonSet pidless/pidless (" + KUSTOMIZATION + "/daemonset.yaml)",
        "ok PodMonitor pidless/pidless (" + KUSTOMIZATION + "/podmonitor.yaml)",
        "ok Pod (unnamed) (" + POD_TEMPLATE + ")"}) {
      assertTrue(r.stdout().contains(checked + "\n"), "not checked: " + checked + "\n" + r.describe());
    }
    assertTrue(r.stdout().contains("4 objects checked, 0 problems"), r.describe());
  }

  @Test
  void aPortThatIsNotANumberFailsNamingFileLineObjectAndField(@TempDir Path dir) throws IOException {
    int line = breakCopy(dir, "daemonset.yaml", "containerPort: 9746", "containerPort: \"abc\"");
    assertOneProblem(dir, "daemonset.yaml:" + line + ": DaemonSet pidless/pidless: "
        + "spec.template.spec.containers[0].ports[0].containerPort: must be integer");
  }

  @Test
  void aMisspelledPodMonitorFieldFailsInsteadOfBeingDropped(@TempDir Path dir) throws IOException {
    int line = breakCopy(dir, "podmonitor.yaml", "relabelings:", "relabellings:");
    assertOneProblem(dir, "podmonitor.yaml:" + line + ": PodMonitor pidless/pidless: "
        + "spec.podMetricsEndpoints[0].relabellings: unknown field (no schema names it)");
  }

  @Test
  void aPodTemplateVolumeWithoutNameFails(@TempDir Path dir) throws IOException {
    int line = breakCopy(dir, "spark-pod-template.yaml", "    - name: pidless-socket\n      hostPath:", "    - hostPath:");
    assertOneProblem(dir, "spark-pod-template.yaml:" + line + ": Pod (unnamed): spec.volumes[0].name: required field missing");
  }

  /** Checks the broken copy in {@code dir}: it must fail with exactly {@code report} (after the directory). */
  private static void assertOneProblem(Path dir, String report) {
    Command.Result r = KubernetesSchema.check(dir, KUSTOMIZATION, POD_TEMPLATE);
    assertEquals(KubernetesSchema.INVALID, r.exitCode(), r.describe());
    assertTrue(r.stdout().contains(KUSTOMIZATION + "/" + report + "\n"), "expected " + report + "\n" + r.describe());
    assertTrue(r.stdout().contains("4 objects checked, 1 problems"), r.describe());
  }

  /**
   * Copies deploy/kubernetes into {@code dir} with the first {@code from} in {@code file} replaced by
   * {@code to}; returns the line of the change.
   */
  private static int breakCopy(Path dir, String file, String from, String to) throws IOException {
    Path copy = dir.resolve(KUSTOMIZATION);
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(DeployFiles.repoDir().resolve(KUSTOMIZATION))) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    String text = Files.readString(copy.resolve(file));
    int at = text.indexOf(from);
    assertTrue(at >= 0, file + " no longer holds " + from + ": update this test");
    Files.writeString(copy.resolve(file), text.substring(0, at) + to + text.substring(at + from.length()));
    return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
  }
}
