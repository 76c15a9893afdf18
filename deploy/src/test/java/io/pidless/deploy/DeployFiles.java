package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The files under {@code deploy/} as the tests read them: found from the module directory Maven
 * passes in ({@code pidless.deploy.dir}), YAML loaded with SnakeYAML's safe constructor so that a
 * file that does not parse fails the test that reads it.
 *
 * <pre>{@code
 * Map<String, Object> daemonSet = DeployFiles.yaml("kubernetes/daemonset.yaml");
 * }</pre>
 */
final class DeployFiles {
  private DeployFiles() {}

  /** The {@code deploy/} directory. */
  static Path deployDir() {
    return Path.of(System.getProperty("pidless.deploy.dir", ".")).toAbsolutePath().normalize();
  }

  /** The repository root, parent of {@code deploy/}. */
  static Path repoDir() {
    return deployDir().getParent();
  }

  /** A file under {@code deploy/}; fails when it does not exist. */
  static Path path(String relative) {
    Path p = deployDir().resolve(relative);
    assertTrue(Files.isRegularFile(p), "missing deploy file " + p);
    return p;
  }

  static String text(String relative) {
    try {
      return Files.readString(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every YAML document in a file (a file may hold several, separated by {@code ---}). */
  static List<Object> yamlDocuments(Path file) {
    try {
      List<Object> docs = new ArrayList<>();
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
        if (doc != null) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The single YAML document of a file under {@code deploy/}, which must be a mapping. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String relative) {
    List<Object> docs = yamlDocuments(path(relative));
    assertTrue(docs.size() == 1 && docs.get(0) instanceof Map,
        relative + " must hold exactly one YAML mapping, found " + docs.size() + " documents");
    return (Map<String, Object>) docs.get(0);
  }
}
