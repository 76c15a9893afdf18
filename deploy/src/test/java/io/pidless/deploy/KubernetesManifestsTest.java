package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the manifests mean for pidless: one aggregator per node, locked down, probed on its named
 * port, the socket directory shared between the DaemonSet and Spark's pods, the PodMonitor's labels.
 * That they are well-formed objects (kinds, API versions, types, field names) is
 * {@link KubernetesSchemaTest}'s to check, against the real schemas.
 */
class KubernetesManifestsTest {
  static final String SOCKET_DIR_ON_HOST = "/var/run/pidless";
  static final String SOCKET_DIR = "/run/pidless";
  static final String SOCKET = SOCKET_DIR + "/pidless.sock";
  static final String POD_LABEL = "app.kubernetes.io/name";

  private final Map<String, Object> daemonSet = DeployFiles.yaml("kubernetes/daemonset.yaml");
  private final Map<String, Object> podSpec = Tree.map(daemonSet, "spec.template.spec");
  private final Map<String, Object> aggregator = Tree.named(Tree.list(podSpec, "containers"), "aggregator");

  @Test
  void kustomizationListsEveryClusterResourceInOneNamespace() {
    Map<String, Object> k = DeployFiles.yaml("kubernetes/kustomization.yaml");
    assertEquals("Kustomization", Tree.string(k, "kind"));
    assertEquals(List.of("namespace.yaml", "daemonset.yaml", "podmonitor.yaml"), Tree.list(k, "resources"));
    for (Object resource : Tree.list(k, "resources")) {
      Map<String, Object> doc = DeployFiles.yaml("kubernetes/" + resource);
      String ns = doc.get("kind").equals("Namespace") ? Tree.string(doc, "metadata.name")
          : Tree.string(doc, "metadata.namespace");
      assertEquals(Tree.string(k, "namespace"), ns, resource + " is in another namespace");
    }
    String image = Tree.string(aggregator, "image");
    assertEquals(image.substring(0, image.lastIndexOf(':')), Tree.string(k, "images.0.name"),
        "the kustomization's image override must name the DaemonSet's image");
  }

  @Test
  void daemonSetRunsOneAggregatorPerNodeAndNeverTwo() {
    assertEquals(Tree.map(daemonSet, "spec.selector.matchLabels").get(POD_LABEL),
        Tree.map(daemonSet, "spec.template.metadata.labels").get(POD_LABEL));
    // A surge pod would find the socket held by the old one and exit.
    assertEquals(0, Tree.at(daemonSet, "spec.updateStrategy.rollingUpdate.maxSurge"));
    assertTrue(Tree.list(podSpec, "tolerations").contains(Map.of("operator", "Exists")),
        "the DaemonSet must tolerate every taint, so tainted Spark nodes get an aggregator too");
    assertEquals(false, podSpec.get("automountServiceAccountToken"));
  }

  @Test
  void everyContainerIsLockedDown() {
    assertEquals(true, Tree.at(podSpec, "securityContext.runAsNonRoot"));
    assertEquals("RuntimeDefault", Tree.string(podSpec, "securityContext.seccompProfile.type"));
    for (Map<String, Object> c : containers()) {
      String name = Tree.string(c, "name");
      assertEquals(true, Tree.at(c, "securityContext.readOnlyRootFilesystem"), name);
      assertEquals(false, Tree.at(c, "securityContext.allowPrivilegeEscalation"), name);
      assertEquals(List.of("ALL"), Tree.list(c, "securityContext.capabilities.drop"), name);
      for (String kind : List.of("requests", "limits")) {
        assertTrue(Tree.map(c, "resources." + kind).keySet().containsAll(List.of("cpu", "memory")),
            name + " needs cpu and memory " + kind);
      }
    }
    assertEquals(true, Tree.at(aggregator, "securityContext.runAsNonRoot"));
    assertFalse(Tree.map(aggregator, "securityContext.capabilities").containsKey("add"),
        "the aggregator needs no capability");
  }

  @Test
  void onlyTheSocketDirInitContainerRunsAsRootWithJustChown() {
    List<Object> inits = Tree.list(podSpec, "initContainers");
    assertEquals(1, inits.size());
    Map<String, Object> init = Tree.named(inits, "socket-dir");
    assertEquals(0, Tree.at(init, "securityContext.runAsUser"));
    assertEquals(List.of("CHOWN"), Tree.list(init, "securityContext.capabilities.add"));
    String script = String.join(" ", Tree.list(init, "command").stream().map(String::valueOf).toList());
    String owner = Tree.at(podSpec, "securityContext.runAsUser") + ":" + Tree.at(podSpec, "securityContext.runAsGroup");
    assertTrue(script.contains("chown " + owner + " " + SOCKET_DIR), script);
  }

  @Test
  void aggregatorServesANamedPortProbedOnHealthy() {
    Map<String, Object> port = Tree.named(Tree.list(aggregator, "ports"), "metrics");
    assertEquals(9746, port.get("containerPort"));
    assertEquals(":9746", env(aggregator).get("PIDLESS_LISTEN"));
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertEquals("/-/healthy", Tree.string(aggregator, probe + ".httpGet.path"), probe);
      assertEquals("metrics", Tree.string(aggregator, probe + ".httpGet.port"), probe + " must use the named port");
    }
  }

  @Test
  void aggregatorHeapFollowsTheContainerLimit() {
    assertEquals(Tree.string(aggregator, "resources.requests.memory"), Tree.string(aggregator, "resources.limits.memory"),
        "memory request = limit, so the node never over-commits the aggregator's memory");
    String jvm = env(aggregator).get("JDK_JAVA_OPTIONS");
    assertTrue(jvm.contains("-XX:MaxRAMPercentage="), "heap must be a share of the container limit: " + jvm);
    assertFalse(jvm.contains("-Xmx"), "a fixed -Xmx ignores the container limit: " + jvm);
  }

  @Test
  void aggregatorCreatesTheSocketInTheHostDirectory() {
    assertEquals(SOCKET, env(aggregator).get("PIDLESS_SOCKET"));
    assertEquals(SOCKET_DIR_ON_HOST, Tree.string(volume(podSpec, "socket-dir"), "hostPath.path"));
    assertEquals("DirectoryOrCreate", Tree.string(volume(podSpec, "socket-dir"), "hostPath.type"));
    assertEquals(SOCKET_DIR, mountPath(aggregator, "socket-dir"));
    assertEquals(SOCKET_DIR, mountPath(Tree.named(Tree.list(podSpec, "initContainers"), "socket-dir"), "socket-dir"));
    // Netty unpacks its native epoll library into java.io.tmpdir; the root file system is read-only.
    assertTrue(volume(podSpec, "tmp").containsKey("emptyDir"));
    assertEquals("/tmp", mountPath(aggregator, "tmp"));
  }

  @Test
  void sparkPodTemplateMountsTheSocketAndJoinsTheAggregatorGroup() {
    Map<String, Object> pod = DeployFiles.yaml("kubernetes/spark-pod-template.yaml");
    Map<String, Object> spec = Tree.map(pod, "spec");
    Map<String, Object> spark = Tree.map(spec, "containers.0");
    String volumeName = "pidless-socket";
    assertEquals(SOCKET_DIR_ON_HOST, Tree.string(volume(spec, volumeName), "hostPath.path"));
    assertEquals(SOCKET_DIR, mountPath(spark, volumeName));
    assertEquals(SOCKET, env(spark).get("PIDLESS_SOCKET"));
    assertEquals(String.valueOf(Tree.at(podSpec, "securityContext.runAsUser")), env(spark).get("PIDLESS_AGGREGATOR_UID"),
        "clients send only to the aggregator's uid");
    assertTrue(Tree.list(spec, "securityContext.supplementalGroups")
            .contains(Tree.at(podSpec, "securityContext.runAsGroup")),
        "Spark pods must be in the aggregator's group to connect to its 0660 socket");
    assertEquals("0660", env(aggregator).get("PIDLESS_SOCKET_MODE"));
  }

  @Test
  void podMonitorScrapesTheNamedPortAsJobPidlessWithTheNodeAsInstance() {
    Map<String, Object> pm = DeployFiles.yaml("kubernetes/podmonitor.yaml");
    assertEquals(Tree.map(daemonSet, "spec.selector.matchLabels"), Tree.map(pm, "spec.selector.matchLabels"));
    // jobLabel takes the job name from this pod label: job="pidless", which the rules select.
    assertEquals(POD_LABEL, Tree.string(pm, "spec.jobLabel"));
    assertEquals("pidless", Tree.map(daemonSet, "spec.template.metadata.labels").get(POD_LABEL));
    Map<String, Object> endpoint = Tree.map(pm, "spec.podMetricsEndpoints.0");
    assertEquals("metrics", Tree.string(endpoint, "port"));
    List<Object> relabelings = Tree.list(endpoint, "relabelings");
    assertTrue(relabelings.contains(Map.of("sourceLabels", List.of("__meta_kubernetes_pod_node_name"),
        "targetLabel", "instance")), "instance must be the node name: " + relabelings);
    assertTrue(relabelings.contains(Map.of("action", "labeldrop", "regex", "pod|container|endpoint|namespace")),
        "per-pod target labels would survive `sum without (instance)`: " + relabelings);
  }

  @Test
  void namespaceAllowsTheHostPathVolume() {
    Map<String, Object> ns = DeployFiles.yaml("kubernetes/namespace.yaml");
    assertEquals("privileged", Tree.map(ns, "metadata.labels").get("pod-security.kubernetes.io/enforce"));
  }

  @Test
  void everyKubernetesFileIsUsed() throws Exception {
    List<String> files = new ArrayList<>();
    try (var s = Files.list(DeployFiles.deployDir().resolve("kubernetes"))) {
      s.forEach(p -> files.add(p.getFileName().toString()));
    }
    String kustomization = DeployFiles.text("kubernetes/kustomization.yaml");
    for (String f : files) {
      assertTrue(kustomization.contains(f) || f.equals("kustomization.yaml"),
          f + " is neither a kustomization resource nor named in its comments");
    }
  }

  private List<Map<String, Object>> containers() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (String kind : List.of("initContainers", "containers")) {
      for (int i = 0; i < Tree.list(podSpec, kind).size(); i++) {
        all.add(Tree.map(podSpec, kind + "." + i));
      }
    }
    return all;
  }

  /** A container's env as name -> value (plain values only). */
  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Object e : Tree.list(container, "env")) {
      env.put(Tree.string(e, "name"), Tree.string(e, "value"));
    }
    return env;
  }

  private static Map<String, Object> volume(Map<String, Object> podSpec, String name) {
    return Tree.named(Tree.list(podSpec, "volumes"), name);
  }

  private static String mountPath(Map<String, Object> container, String volume) {
    return Tree.string(Tree.named(Tree.list(container, "volumeMounts"), volume), "mountPath");
  }
}
