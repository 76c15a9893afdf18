package io.pidless.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one aggregator is started: {@code java [jvm options] -jar pidless-aggregator.jar [flags]}, with
 * exactly the given {@code PIDLESS_*} and JVM option variables. Those this JVM has are dropped, so a
 * setting in the shell that runs the build cannot leak into a test. Immutable: each method returns a
 * changed copy.
 *
 * <pre>{@code
 * AggregatorCommand onSocket = AggregatorCommand.on(dir.socket(), "--ttl", "1s");  // and a free loopback port
 * AggregatorCommand likeProduction = AggregatorCommand.on(dir.socket()).deployed();  // -Xmx256m, exit on OOM, ...
 * AggregatorCommand deployed = AggregatorCommand.flags()
 *     .env(Map.of("PIDLESS_SOCKET", socket.toString(), "PIDLESS_LISTEN", "127.0.0.1:0"))
 *     .jvmOptions(List.of("-Xmx64m"));
 * }</pre>
 */
public final class AggregatorCommand {
  /** Ample for a test, and small enough for several test JVMs and their aggregators on one machine. */
  private static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m");
  /**
   * The JVM options production runs with, exactly deploy/systemd/pidless.env's: a test of what a hostile or
   * buggy client can do to memory runs under these, so an OOM exits the process as it would there, and
   * the small heap they start with grows and collects as it does there.
   */
  public static final List<String> DEPLOY_JVM_OPTIONS = List.of("-Xmx256m", "-Xms8m", "-XX:+UseSerialGC",
      "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-XX:MaxNewSize=16m", "-XX:MaxDirectMemorySize=32m",
      "-XX:TrimNativeHeapInterval=5000", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData");

  private final List<String> runAs;
  /** The jar to run; null: {@link AggregatorJar#path()}, resolved when the command runs. */
  private final Path jar;
  private final List<String> jvmOptions;
  private final List<String> flags;
  private final Map<String, String> env;

  private AggregatorCommand(List<String> runAs, Path jar, List<String> jvmOptions, List<String> flags,
      Map<String, String> env) {
    this.runAs = List.copyOf(runAs);
    this.jar = jar;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.flags = List.copyOf(flags);
    this.env = Map.copyOf(env);
  }

  /** The jar with these flags only, e.g. {@code --help}. */
  public static AggregatorCommand flags(String... flags) {
    return new AggregatorCommand(List.of(), null, DEFAULT_JVM_OPTIONS, List.of(flags), Map.of());
  }

  /** The jar on {@code socket} and a free loopback HTTP port, then {@code flags}. */
  public static AggregatorCommand on(Path socket, String... flags) {
    List<String> all = new ArrayList<>(List.of("--socket", socket.toString(), "--listen", "127.0.0.1:0"));
    all.addAll(List.of(flags));
    return new AggregatorCommand(List.of(), null, DEFAULT_JVM_OPTIONS, all, Map.of());
  }

  /** The same command under {@link #DEPLOY_JVM_OPTIONS}. */
  public AggregatorCommand deployed() {
    return jvmOptions(DEPLOY_JVM_OPTIONS);
  }

  /** The JVM options before {@code -jar}, instead of the default {@code -Xmx256m}. */
  public AggregatorCommand jvmOptions(List<String> options) {
    return new AggregatorCommand(runAs, jar, options, flags, env);
  }

  /** Runs {@code jar} instead of the one {@link AggregatorJar#path()} finds: e.g. a benchmark's, given on its command line. */
  public AggregatorCommand jar(Path jar) {
    return new AggregatorCommand(runAs, jar, jvmOptions, flags, env);
  }

  /** Variables to set for the aggregator; this JVM's own {@code PIDLESS_*} and JVM option variables are dropped either way. */
  public AggregatorCommand env(Map<String, String> variables) {
    return new AggregatorCommand(runAs, jar, jvmOptions, flags, variables);
  }

  /**
   * Runs the jar as user {@code uid} and group {@code gid}, with no supplementary groups, through
   * util-linux's {@code setpriv}; the test must run as root.
   */
  public AggregatorCommand asUser(int uid, int gid) {
    return new AggregatorCommand(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups"),
        jar, jvmOptions, flags, env);
  }

  /** The command line, resolving the jar now. */
  List<String> line() {
    List<String> line = new ArrayList<>(runAs);
    line.add(AggregatorJar.javaBin());
    line.addAll(jvmOptions);
    line.add("-jar");
    line.add((jar == null ? AggregatorJar.path() : jar).toString());
    line.addAll(flags);
    return line;
  }

  /** The process to start: the command line and its environment; output is left to the caller. */
  ProcessBuilder processBuilder() {
    ProcessBuilder pb = new ProcessBuilder(line());
    pb.environment().keySet().removeIf(k -> k.startsWith("PIDLESS_") || k.startsWith("JDK_JAVA_OPTIONS")
        || k.equals("JAVA_TOOL_OPTIONS"));
    pb.environment().putAll(env);
    return pb;
  }

  @Override
  public String toString() {
    return (env.isEmpty() ? "" : env + " ") + String.join(" ", line());
  }
}
