package io.pidless.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema checker in {@code src/test/schema}, run as Maven installed it: {@code kubectl kustomize}
 * renders a kustomization, and node validates each rendered object (and each extra file's objects)
 * against the Kubernetes and prometheus-operator schemas. Required, like {@link Promtool}: without
 * kubectl or node the manifests are unchecked, so a missing tool fails the test with the package that
 * brings it. {@code KUBECTL} may point at another kubectl binary.
 *
 * <pre>{@code
 * Command.Result r = KubernetesSchema.check(DeployFiles.repoDir(), "deploy/kubernetes", "deploy/kubernetes/spark-pod-template.yaml");
 * assertEquals(0, r.exitCode(), r.describe());
 * }</pre>
 */
final class KubernetesSchema {
  /** Exit code of the checker when an object breaks its schema (2: it could not check). */
  static final int INVALID = 1;

  private KubernetesSchema() {}

  /**
   * Renders {@code kustomizationDir} and checks it and {@code extraFiles}, both relative to {@code root},
   * as the checker's messages name them; returns what the checker said.
   */
  static Command.Result check(Path root, String kustomizationDir, String... extraFiles) {
    requireKubectl();
    Path script = Path.of(System.getProperty("pidless.schema.checker", "target/schema/check-kubernetes.js"));
    if (!Files.isDirectory(script.resolveSibling("node_modules"))) {
      throw new AssertionError("the schema checker's packages are not installed in " + script.getParent()
          + ": run the deploy module through Maven (mvn verify -pl deploy), which runs npm ci there");
    }
    Path node = Command.onPath("node").orElseThrow(() -> new AssertionError(
        "node not found: apt-get install nodejs npm"));
    List<String> cmd = new ArrayList<>(List.of(node.toString(), script.toAbsolutePath().toString(), kustomizationDir));
    cmd.addAll(List.of(extraFiles));
    return Command.run(root, cmd.toArray(String[]::new));
  }

  private static void requireKubectl() {
    String explicit = System.getenv("KUBECTL");
    if ((explicit == null || explicit.isEmpty()) && Command.onPath("kubectl").isEmpty()) {
      throw new AssertionError("kubectl not found: apt-get install kubernetes-client (or set KUBECTL to a kubectl binary)");
    }
  }
}
