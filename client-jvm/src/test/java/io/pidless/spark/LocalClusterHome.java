package io.pidless.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The SPARK_HOME that {@code local-cluster[...]}'s workers launch executors from: {@code jars/} links
 * to Spark's runtime classpath as Maven resolved it ({@code pidless.spark.classpath}, written by
 * {@code dependency:build-classpath}), and {@code RELEASE}, without which Spark's launcher looks for a
 * source build. Failsafe points SPARK_HOME here (client-jvm/pom.xml).
 */
final class LocalClusterHome {
  private LocalClusterHome() {}

  static void prepare() throws IOException {
    Path home = Path.of(requireEnv("SPARK_HOME"));
    Path jars = home.resolve("jars");
    if (!Files.isRegularFile(home.resolve("RELEASE"))) {
      Path classpath = Path.of(System.getProperty("pidless.spark.classpath", ""));
      if (!Files.isRegularFile(classpath)) {
        throw new IllegalStateException("no Spark classpath file at '" + classpath + "': run through "
            + "`mvn verify -pl client-jvm -am`, whose dependency:build-classpath writes it");
      }
      Files.createDirectories(jars);
      for (String jar : Files.readString(classpath).strip().split(java.io.File.pathSeparator)) {
        Path link = jars.resolve(Path.of(jar).getFileName());
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, Path.of(jar));
        }
      }
      Files.writeString(home.resolve("RELEASE"), "Spark runtime classpath from Maven, for SinkIT\n",
          StandardCharsets.UTF_8);
    }
  }

  private static String requireEnv(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: failsafe sets it in client-jvm/pom.xml");
    }
    return v;
  }
}
