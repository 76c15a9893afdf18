package io.pidless.aggregator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.protocol.Protocol;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  @Test
  void defaultsAreSensibleForANonRootUser() throws Exception {
    AggregatorConfig c = CommandLine.parse(new String[0], Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000);
    assertEquals(Path.of("/run/user/1000/pidless/pidless.sock"), c.socket());
    assertEquals("rw-rw----", PosixFilePermissions.toString(c.socketMode()));
    assertEquals(9746, c.listen().getPort());
    assertTrue(c.listen().getAddress().isAnyLocalAddress());
    assertEquals(Duration.ofMinutes(10), c.ttl());
    assertEquals(100_000, c.limits().maxSeries());
    assertEquals(1 << 20, c.limits().maxFrameBytes());
  }

  @Test
  void flagsInBothFormsOverrideTheEnvironment() throws Exception {
    AggregatorConfig c = CommandLine.parse(
        new String[] {"--socket", "/tmp/a.sock", "--ttl=90s", "--max-series", "5_000", "--listen", "127.0.0.1:0",
            "--socket-mode", "0600"},
        Map.of("PIDLESS_SOCKET", "/tmp/env.sock", "PIDLESS_MAX_LABELS", "7", "PIDLESS_TTL", "1h"));
    assertEquals(Path.of("/tmp/a.sock"), c.socket());
    assertEquals(Duration.ofSeconds(90), c.ttl());
    assertEquals(5_000, c.limits().maxSeries());
    assertEquals(7, c.limits().maxLabels(), "an env var fills a flag not given");
    assertEquals("127.0.0.1", c.listen().getHostString());
    assertEquals("rw-------", PosixFilePermissions.toString(c.socketMode()));
  }

  @Test
  void theDefaultSocketIsOneNoOtherUserCanHavePrepared() throws Exception {
    assertEquals(Path.of("/run/pidless/pidless.sock"),
        CommandLine.parse(new String[0], Map.of("XDG_RUNTIME_DIR", "/run/user/0"), 0).socket(), "root: systemd's");
    assertEquals(Path.of("/run/user/1000/pidless/pidless.sock"),
        CommandLine.parse(new String[0], Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000).socket());
    assertEquals(Path.of("/tmp/pidless/pidless.sock"), CommandLine.parse(new String[0], Map.of(), 1000).socket(),
        "only without a runtime directory; the aggregator then refuses it unless it is its own");
    assertEquals(Path.of("/tmp/env.sock"),
        CommandLine.parse(new String[0], Map.of("PIDLESS_SOCKET", "/tmp/env.sock"), 0).socket());
    UsageException tooLong = assertThrows(UsageException.class, () -> CommandLine.parse(new String[0],
        Map.of("XDG_RUNTIME_DIR", "/run/user/" + "x".repeat(90)), 1000));
    assertTrue(tooLong.getMessage().startsWith("the default socket: socket path /run/user/" + "x".repeat(90)
        + "/pidless/pidless.sock is longer"), tooLong.getMessage());
  }

  @Test
  void socketFallsBackToPidlessSocket() throws Exception {
    assertEquals(Path.of("/tmp/env.sock"), CommandLine.parse(new String[0], Map.of("PIDLESS_SOCKET", "/tmp/env.sock")).socket());
  }

  @Test
  void theStateFileLivesBesideTheSocketUnlessMovedOrTurnedOff() throws Exception {
    assertEquals(Path.of("/tmp/pidless/pidless.state"), CommandLine.parse(new String[0], Map.of(), 1000).stateFile());
    assertEquals(Path.of("/run/p/pidless.state"),
        CommandLine.parse(new String[] {"--socket", "/run/p/x.sock"}, Map.of()).stateFile());
    assertEquals(Path.of("/var/lib/pidless/s"),
        CommandLine.parse(new String[0], Map.of("PIDLESS_STATE_FILE", "/var/lib/pidless/s")).stateFile());
    assertNull(CommandLine.parse(new String[] {"--state-file", "off"}, Map.of()).stateFile());
  }

  @Test
  void badInputNamesTheFlagAndTheFix() {
    assertUsage("unknown flag --sockte; see --help", "--sockte", "/x");
    assertUsage("flag --ttl needs a value", "--ttl");
    assertUsage("--ttl: Invalid duration: 10 minutes", "--ttl", "10 minutes");
    assertUsage("--max-series: Invalid number for max-series: lots", "--max-series", "lots");
    assertUsage("--max-series: max series must be at least 1, got 0", "--max-series", "0");
    assertUsage("flag --ttl is given twice", "--ttl", "1m", "--ttl", "2m");
    assertUsage("--listen: Invalid listen port in :99999", "--listen", ":99999");
    assertUsage("--socket-mode: Invalid socket mode: rw", "--socket-mode", "rw");
    assertUsage("longer than the 107 bytes", "--socket", "/tmp/" + "x".repeat(120));
    assertUsage("unexpected argument 'serve'", "serve");
  }

  @Test
  void memoryBudgetsAreSharesOfTheHeapUnlessAFlagSetsThem() throws Exception {
    AggregatorConfig.Budgets deployed = AggregatorConfig.builder().heap(256L << 20).build().budgets();
    assertEquals(new AggregatorConfig.Budgets(131_072, 131_072, 524_288, 32L << 20, 65_536), deployed,
        "-Xmx256m: 1/8 at 256 B a session, 1/16 and 1/4 at 128 B an id, 1/8 of text, the 64 KiB floor");
    AggregatorConfig.Budgets big = AggregatorConfig.builder().heap(64L << 30).maxConnections(16).build().budgets();
    assertEquals(Protocol.MAX_IDS_PER_CONNECTION, big.maxIdsPerConnection(), "never above the protocol's bound");
    assertEquals(64L << 20, big.maxUnreadBytes(), "1/64 of the heap shared by the connections");
    AggregatorConfig c = CommandLine.parse(new String[] {"--max-sessions", "10", "--max-ids-per-connection=20",
        "--max-ids", "30", "--max-series-bytes", "4096"}, Map.of("PIDLESS_MAX_UNREAD_BYTES", "2048"));
    assertEquals(new AggregatorConfig.Budgets(10, 20, 30, 4096, 2048), c.budgets());
    assertUsage("--max-ids-per-connection: max ids per connection must be at most 1048576",
        "--max-ids-per-connection", "2000000");
    assertUsage("--max-unread-bytes: Invalid number for max-unread-bytes: 5000000000 (at most 2147483647)",
        "--max-unread-bytes", "5000000000");
  }

  @Test
  void timeoutsAndPerUidConnectionsHaveDefaultsAndFlags() throws Exception {
    AggregatorConfig d = CommandLine.parse(new String[0], Map.of());
    assertEquals(1024, d.maxConnectionsPerUid());
    assertEquals(Duration.ofSeconds(10), d.frameTimeout());
    assertEquals(Duration.ofMinutes(5), d.idleTimeout());
    assertEquals(Duration.ofSeconds(10), d.httpTimeout());
    assertEquals(1, d.maxConcurrentScrapes());
    AggregatorConfig c = CommandLine.parse(new String[] {"--max-connections", "100", "--frame-timeout", "2s",
        "--idle-timeout=1m", "--http-timeout", "3s", "--max-concurrent-scrapes", "4"},
        Map.of("PIDLESS_MAX_CONNECTIONS_PER_UID", "10"));
    assertEquals(10, c.maxConnectionsPerUid());
    assertEquals(Duration.ofSeconds(2), c.frameTimeout());
    assertEquals(Duration.ofMinutes(1), c.idleTimeout());
    assertEquals(Duration.ofSeconds(3), c.httpTimeout());
    assertEquals(4, c.maxConcurrentScrapes());
    assertEquals(100, CommandLine.parse(new String[] {"--max-connections", "100"}, Map.of()).maxConnectionsPerUid(),
        "the per-uid default never exceeds --max-connections");
    assertUsage("max connections per uid (200) exceeds max connections (100); lower --max-connections-per-uid",
        "--max-connections", "100", "--max-connections-per-uid", "200");
    assertUsage("--frame-timeout: frame timeout must be positive", "--frame-timeout", "0s");
  }

  @Test
  void badEnvironmentNamesTheVariable() {
    UsageException e = assertThrows(UsageException.class,
        () -> CommandLine.parse(new String[0], Map.of("PIDLESS_TTL", "soon")));
    assertTrue(e.getMessage().startsWith("environment variable PIDLESS_TTL: Invalid duration: soon"), e.getMessage());
  }

  @Test
  void usageListsEveryFlagWithItsEnvironmentVariable() {
    String usage = CommandLine.usage();
    for (String flag : new String[] {"--socket PATH", "--listen HOST:PORT", "--ttl DURATION", "--max-series N",
        "PIDLESS_SOCKET", "PIDLESS_MAX_FRAME_BYTES", "--help"}) {
      assertTrue(usage.contains(flag), flag + " missing from:\n" + usage);
    }
    assertTrue(CommandLine.wantsHelp(new String[] {"--ttl", "1m", "-h"}));
  }

  private static void assertUsage(String expected, String... args) {
    UsageException e = assertThrows(UsageException.class, () -> CommandLine.parse(args, Map.of()));
    assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
  }

  @Test
  void remoteWriteFlagsRepeatAndFallBackToCommaSeparatedEnvironment() throws Exception {
    AggregatorConfig c = CommandLine.parse(new String[] {"--remote-write-url", "http://a:9090/api/v1/write",
        "--remote-write-url=https://b/api/v1/push", "--external-label", "node=n1", "--external-label", "zone=z",
        "--remote-write-interval", "2s"}, Map.of("PIDLESS_EXTERNAL_LABEL", "ignored=1"));
    assertEquals(java.util.List.of(java.net.URI.create("http://a:9090/api/v1/write"),
        java.net.URI.create("https://b/api/v1/push")), c.remoteWrite().urls());
    assertEquals(Map.of("node", "n1", "zone", "z"), c.remoteWrite().externalLabels());
    assertEquals(Duration.ofSeconds(2), c.remoteWrite().interval());

    AggregatorConfig env = CommandLine.parse(new String[0], Map.of("PIDLESS_REMOTE_WRITE_URL",
        "http://a/w, http://b/w", "PIDLESS_EXTERNAL_LABEL", "node=n2,cluster=c"));
    assertEquals(2, env.remoteWrite().urls().size());
    assertEquals(Map.of("node", "n2", "cluster", "c"), env.remoteWrite().externalLabels());
    assertEquals(Duration.ofSeconds(15), env.remoteWrite().interval(), "the default");
    assertTrue(!CommandLine.parse(new String[0], Map.of()).remoteWrite().enabled(), "off by default");
  }

  @Test
  void badRemoteWriteFlagsNameTheFlagAndTheFix() {
    UsageException url = assertThrows(UsageException.class,
        () -> CommandLine.parse(new String[] {"--remote-write-url", "prometheus:9090"}, Map.of()));
    assertTrue(url.getMessage().startsWith("--remote-write-url: Invalid remote write URL: prometheus:9090"),
        url.getMessage());
    UsageException label = assertThrows(UsageException.class, () -> CommandLine.parse(
        new String[] {"--remote-write-url", "http://a/w", "--external-label", "__name__=x"}, Map.of()));
    assertTrue(label.getMessage().startsWith("--external-label: Invalid external label: __name__=x"),
        label.getMessage());
    UsageException alone = assertThrows(UsageException.class,
        () -> CommandLine.parse(new String[] {"--external-label", "node=n1"}, Map.of()));
    assertEquals("remote write options are given but no --remote-write-url", alone.getMessage());
    UsageException auth = assertThrows(UsageException.class, () -> CommandLine.parse(
        new String[] {"--remote-write-url", "http://a/w", "--remote-write-username", "u"}, Map.of()));
    assertEquals("basic auth needs both --remote-write-username and --remote-write-password-file",
        auth.getMessage());
    assertThrows(UsageException.class,
        () -> CommandLine.parse(new String[] {"--ttl", "1s", "--ttl", "2s"}, Map.of()), "others stay single");
  }
}
