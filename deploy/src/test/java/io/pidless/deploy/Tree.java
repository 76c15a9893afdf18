package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;

/**
 * Walks parsed YAML or JSON (maps and lists) by a dotted path, failing with the full path when a
 * step is missing or of the wrong kind, so a test reads like the manifest it checks.
 *
 * <pre>{@code
 * List<Object> containers = Tree.list(daemonSet, "spec.template.spec.containers");
 * Map<String, Object> aggregator = Tree.named(containers, "aggregator");
 * String image = Tree.string(aggregator, "image");
 * }</pre>
 */
final class Tree {
  private Tree() {}

  /**
   * The value at {@code path}: keys separated by dots, a number indexes a list
   * ({@code spec.podMetricsEndpoints.0.port}); fails when any step is missing.
   */
  static Object at(Object root, String path) {
    Object node = root;
    StringBuilder seen = new StringBuilder();
    for (String key : path.split("\\.")) {
      seen.append(seen.length() == 0 ? "" : ".").append(key);
      if (node instanceof List<?> list && key.matches("\\d+")) {
        int index = Integer.parseInt(key);
        node = index < list.size() ? list.get(index) : null;
      } else {
        assertInstanceOf(Map.class, node, "expected a mapping above " + seen);
        node = ((Map<?, ?>) node).get(key);
      }
      assertNotNull(node, "missing " + seen);
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object root, String path) {
    return assertInstanceOf(Map.class, at(root, path), path + " must be a mapping");
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object root, String path) {
    return assertInstanceOf(List.class, at(root, path), path + " must be a list");
  }

  static String string(Object root, String path) {
    return String.valueOf(at(root, path));
  }

  /** The element of a Kubernetes-style list whose {@code name} is {@code name}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> named(List<Object> items, String name) {
    for (Object item : items) {
      if (item instanceof Map<?, ?> m && name.equals(m.get("name"))) {
        return (Map<String, Object>) m;
      }
    }
    throw new AssertionError("no element named " + name + " in " + items);
  }
}
