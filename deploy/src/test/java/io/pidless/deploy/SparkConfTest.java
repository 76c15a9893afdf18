package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spark-defaults.conf snippets parse as Spark reads them (key, whitespace, value; {@code #}
 * comments) and point every JVM and Python worker at the same socket as the aggregator deployments.
 */
class SparkConfTest {
  private static final String SOCKET = KubernetesManifestsTest.SOCKET;

  @Test
  void jvmSnippetLoadsThePluginAndPointsItAtTheSocket() {
    Map<String, String> conf = sparkDefaults("spark/spark-defaults-jvm.conf");
    assertEquals("io.pidless.spark.PidlessPlugin", conf.get("spark.plugins"));
    assertTrue(conf.get("spark.jars").endsWith("/pidless-client-jvm.jar"), conf.toString());
    assertEquals(SOCKET, conf.get("spark.pidless.socket"));
    String text = DeployFiles.text("spark/spark-defaults-jvm.conf");
    for (String side : new String[] {"driver", "executor"}) {
      assertTrue(text.matches("(?s).*\\n#spark\\." + side + "\\.extraClassPath\\s+/opt/pidless/pidless-client-jvm\\.jar\\n.*"),
          "the class-path alternative for the " + side + " is missing: " + text);
    }
  }

  @Test
  void pysparkSnippetShipsTheClientAndSetsTheSocketForEveryProcess() {
    Map<String, String> conf = sparkDefaults("spark/spark-defaults-pyspark.conf");
    assertTrue(conf.get("spark.submit.pyFiles").endsWith("/pidless.zip"), conf.toString());
    for (String key : new String[] {"spark.executorEnv.PIDLESS_SOCKET", "spark.yarn.appMasterEnv.PIDLESS_SOCKET",
        "spark.kubernetes.driverEnv.PIDLESS_SOCKET"}) {
      assertEquals(SOCKET, conf.get(key), key);
    }
    assertTrue(DeployFiles.text("spark/spark-defaults-pyspark.conf").contains("--py-files /opt/pidless/pidless.zip"));
  }

  @Test
  void everyDeploymentUsesTheSameSocket() {
    assertEquals(SOCKET, SystemdUnit.environmentFile().get("PIDLESS_SOCKET"));
    assertEquals("/run/" + SystemdUnit.single("RuntimeDirectory") + "/pidless.sock", SOCKET);
    assertEquals(SOCKET, Dockerfile.env().get("PIDLESS_SOCKET"));
    String yarn = DeployFiles.text("spark/YARN.md");
    assertTrue(yarn.contains("`" + SOCKET + "`"), "YARN.md names another socket");
  }

  /** spark-defaults.conf: {@code key<whitespace>value} per line, {@code #} comments, as Spark parses it. */
  static Map<String, String> sparkDefaults(String relative) {
    Map<String, String> conf = new LinkedHashMap<>();
    for (String line : DeployFiles.text(relative).split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] kv = l.split("\\s+", 2);
      assertEquals(2, kv.length, "no value in: " + line);
      assertEquals(null, conf.put(kv[0], kv[1]), "set twice: " + kv[0]);
    }
    return conf;
  }
}
