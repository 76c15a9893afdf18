package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every YAML and JSON file under deploy/ parses, and every piece the README points to is there. */
class AllFilesParseTest {
  static Stream<Path> dataFiles() throws Exception {
    Path deploy = DeployFiles.deployDir();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(deploy)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> !deploy.relativize(p).startsWith("target") && !deploy.relativize(p).startsWith("src"))
          .filter(p -> p.toString().matches(".*\\.(ya?ml|json)$"))
          .sorted().toList();
    }
    assertFalse(files.isEmpty(), "no YAML or JSON under " + deploy);
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dataFiles")
  void parses(Path file) throws Exception {
    if (file.toString().endsWith(".json")) {
      new ObjectMapper().readTree(file.toFile());
    } else {
      assertFalse(DeployFiles.yamlDocuments(file).isEmpty(), file + " is empty");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "kubernetes/kustomization.yaml", "kubernetes/namespace.yaml", "kubernetes/daemonset.yaml",
      "kubernetes/podmonitor.yaml", "kubernetes/prometheus-scrape-config.yml", "kubernetes/spark-pod-template.yaml",
      "systemd/pidless.service", "systemd/pidless.env", "systemd/pidless.sysusers.conf",
      "docker/Dockerfile", "docker/Dockerfile.dockerignore",
      "spark/spark-defaults-jvm.conf", "spark/spark-defaults-pyspark.conf", "spark/YARN.md",
      "prometheus/prometheus.yml", "prometheus/pidless-rules.yml", "prometheus/pidless-alerts.yml",
      "prometheus/pidless-alerts.test.yml", "prometheus/grafana-dashboard.json", "prometheus/remote-write.md"})
  void existsAndIsNamedInTheReadmeDeploySection(String relative) throws Exception {
    DeployFiles.path(relative);
    String readme = Files.readString(DeployFiles.repoDir().resolve("README.md"));
    int start = readme.indexOf("\n## Deploy\n");
    assertTrue(start >= 0, "README.md has no section ## Deploy");
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    assertTrue(section.contains("deploy/" + relative), "README.md's Deploy section does not point to deploy/" + relative);
  }
}
