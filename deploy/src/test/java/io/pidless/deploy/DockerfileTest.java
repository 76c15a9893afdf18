package io.pidless.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The image: built by Maven in a throwaway stage, run from a JRE-only stage as a non-root user, with
 * the socket directory as a volume and the jar path the Maven build really produces.
 */
class DockerfileTest {
  private static final String JAR_IN_IMAGE = "/opt/pidless/pidless-aggregator.jar";

  @Test
  void buildsWithMavenAndJdk17InAThrowawayStage() {
    List<Dockerfile.Instruction> build = Dockerfile.stage(0);
    assertTrue(build.get(0).args().matches("maven:3\\.9-eclipse-temurin-17 AS build"), build.get(0).toString());
    String run = build.stream().filter(i -> i.keyword().equals("RUN")).map(Dockerfile.Instruction::args)
        .collect(Collectors.joining("\n"));
    assertTrue(run.contains("mvn -B -q -pl aggregator -am -DskipTests package"), run);
  }

  @Test
  void runsTheBuiltJarOnASlimJre17AsANonRootUser() {
    List<Dockerfile.Instruction> runtime = Dockerfile.stage(1);
    assertEquals(2, Dockerfile.instructions().stream().filter(i -> i.keyword().equals("FROM")).count());
    assertTrue(runtime.get(0).args().matches("eclipse-temurin:17-jre(-\\w+)?"), runtime.get(0).toString());
    // The jar the build stage copies out is the one aggregator/pom.xml's shade plugin names.
    String pom = DeployFiles.text("../aggregator/pom.xml");
    assertTrue(pom.contains("<finalName>pidless-aggregator</finalName>"), "aggregator/pom.xml renamed its jar");
    assertTrue(runtime.contains(new Dockerfile.Instruction("COPY",
        "--from=build /src/aggregator/target/pidless-aggregator.jar " + JAR_IN_IMAGE)), runtime.toString());
    assertTrue(runtime.contains(new Dockerfile.Instruction("USER", "10001:10001")));
    String run = runtime.stream().filter(i -> i.keyword().equals("RUN")).map(Dockerfile.Instruction::args)
        .collect(Collectors.joining("\n"));
    assertTrue(run.contains("useradd --system --uid 10001 --gid pidless"), run);
    assertEquals(new Dockerfile.Instruction("ENTRYPOINT", "[\"java\", \"-jar\", \"" + JAR_IN_IMAGE + "\"]"),
        runtime.get(runtime.size() - 1), "exec-form ENTRYPOINT, so SIGTERM reaches the JVM");
  }

  @Test
  void exposesTheMetricsPortAndTheSocketVolume() {
    List<Dockerfile.Instruction> runtime = Dockerfile.stage(1);
    assertTrue(runtime.contains(new Dockerfile.Instruction("EXPOSE", "9746")));
    assertTrue(runtime.contains(new Dockerfile.Instruction("VOLUME", "[\"/run/pidless\"]")));
    assertEquals("/run/pidless/pidless.sock", Dockerfile.env().get("PIDLESS_SOCKET"));
    assertEquals(":9746", Dockerfile.env().get("PIDLESS_LISTEN"));
  }

  @Test
  void imageJvmOptionsAreTheDaemonSets() {
    assertEquals(MemorySizing.ofDaemonSet().jvmOptions(), Dockerfile.env().get("JDK_JAVA_OPTIONS"));
    assertFalse(Dockerfile.env().get("JDK_JAVA_OPTIONS").contains("-Xmx"), "heap must follow the container limit");
  }

  @Test
  void buildContextLeavesOutBuildOutput() {
    String ignore = DeployFiles.text("docker/Dockerfile.dockerignore");
    assertTrue(ignore.lines().toList().containsAll(List.of(".git", "**/target")), ignore);
  }
}
