package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The scrape configurations pass {@code promtool check config}, and label every target
 * job="pidless", instance="node name" as the recording rules expect.
 */
class PrometheusConfigTest {
  private static final String K8S_SCRAPE = "kubernetes/prometheus-scrape-config.yml";
  private static final String NODES_CONFIG = "prometheus/prometheus.yml";
  /** What Debian's promtool (built without Kubernetes discovery) says about a kubernetes_sd_configs block. */
  private static final String NO_K8S_SD = "field kubernetes_sd_configs not found";

  @Test
  void promtoolAcceptsTheNodeConfigAndItsRuleFiles() {
    String out = Promtool.check(DeployFiles.path(NODES_CONFIG).getParent(), "check", "config", "prometheus.yml").stdout();
    assertTrue(out.contains("SUCCESS: 2 rule files found"), out);
  }

  @Test
  void nodeConfigLabelsTargetsByHostName() {
    Map<String, Object> job = Tree.map(DeployFiles.yaml(NODES_CONFIG), "scrape_configs.0");
    assertEquals("pidless", Tree.string(job, "job_name"));
    assertEquals(List.of("pidless-rules.yml", "pidless-alerts.yml"), Tree.list(DeployFiles.yaml(NODES_CONFIG), "rule_files"));
    Map<String, Object> relabel = Tree.map(job, "relabel_configs.0");
    assertEquals("instance", Tree.string(relabel, "target_label"));
    assertEquals(List.of("__address__"), Tree.list(relabel, "source_labels"));
    // Prometheus anchors relabel regexes and substitutes $1, as Java's matches() and group(1) do here.
    Matcher m = Pattern.compile(Tree.string(relabel, "regex")).matcher("nodemanager-1.example.com:9746");
    assertTrue(m.matches());
    assertEquals("nodemanager-1.example.com", m.group(1));
  }

  @Test
  void kubernetesScrapeJobKeepsThePidlessPodsPortAndLabelsTheNode() {
    Map<String, Object> job = Tree.map(DeployFiles.yaml(K8S_SCRAPE), "scrape_configs.0");
    assertEquals("pidless", Tree.string(job, "job_name"));
    assertEquals("pod", Tree.string(job, "kubernetes_sd_configs.0.role"));
    List<Object> relabel = Tree.list(job, "relabel_configs");
    assertTrue(relabel.contains(Map.of("source_labels", List.of("__meta_kubernetes_pod_label_app_kubernetes_io_name"),
        "regex", "pidless", "action", "keep")), relabel.toString());
    assertTrue(relabel.contains(Map.of("source_labels", List.of("__meta_kubernetes_pod_container_port_name"),
        "regex", "metrics", "action", "keep")), "must keep only the DaemonSet's named port: " + relabel);
    assertTrue(relabel.contains(Map.of("source_labels", List.of("__meta_kubernetes_pod_node_name"),
        "target_label", "instance")), "instance must be the node name: " + relabel);
  }

  /**
   * Checks everything of the Kubernetes scrape job but the discovery block with any promtool: the
   * same job with a static target in place of kubernetes_sd_configs.
   */
  @Test
  void promtoolAcceptsTheKubernetesScrapeJobsRelabeling(@TempDir Path tmp) throws IOException {
    Map<String, Object> config = DeployFiles.yaml(K8S_SCRAPE);
    Map<String, Object> job = new LinkedHashMap<>(Tree.map(config, "scrape_configs.0"));
    job.remove("kubernetes_sd_configs");
    job.put("static_configs", List.of(Map.of("targets", List.of("10.0.0.1:9746"))));
    config.put("scrape_configs", List.of(job));
    Files.writeString(tmp.resolve("static.yml"), new Yaml().dump(config));
    Promtool.check(tmp, "check", "config", "static.yml");
  }

  /** The file as is, discovery block included; needs a promtool built with Kubernetes discovery. */
  @Test
  void promtoolAcceptsTheKubernetesScrapeConfigWhereItKnowsKubernetesDiscovery() {
    Path dir = DeployFiles.path(K8S_SCRAPE).getParent();
    Command.Result r = Promtool.run(dir, "check", "config", "prometheus-scrape-config.yml");
    assumeFalse(r.exitCode() != 0 && (r.stdout() + r.stderr()).contains(NO_K8S_SD),
        Promtool.binary() + " was built without Kubernetes service discovery (Debian's prometheus package is);"
            + " the rest of " + K8S_SCRAPE + " is checked by promtoolAcceptsTheKubernetesScrapeJobsRelabeling."
            + " Set PROMTOOL to an upstream promtool for the full check.");
    assertEquals(0, r.exitCode(), r.describe());
  }
}
