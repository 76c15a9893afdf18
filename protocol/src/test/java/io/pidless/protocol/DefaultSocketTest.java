package io.pidless.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one ordered rule the aggregator and both clients follow for the default socket. */
class DefaultSocketTest {
  @TempDir
  Path dir;

  @Test
  void pidlessSocketFirstThenRootThenTheRuntimeDirectoryThenTmp() {
    Map<String, String> xdg = Map.of("XDG_RUNTIME_DIR", "/run/user/1000");
    assertEquals(Path.of("/x/p.sock"), DefaultSocket.choose(Map.of("PIDLESS_SOCKET", "/x/p.sock"), 0));
    assertEquals(Path.of("/run/pidless/pidless.sock"), DefaultSocket.choose(xdg, 0));
    assertEquals(Path.of("/run/user/1000/pidless/pidless.sock"), DefaultSocket.choose(xdg, 1000));
    assertEquals(Path.of("/tmp/pidless/pidless.sock"), DefaultSocket.choose(Map.of(), 1000));
    assertEquals(Path.of("/tmp/pidless/pidless.sock"),
        DefaultSocket.choose(Map.of("XDG_RUNTIME_DIR", "relative", "PIDLESS_SOCKET", " "), 1000),
        "a relative runtime directory or a blank PIDLESS_SOCKET is no choice");
    assertEquals(Path.of("/tmp/pidless/pidless.sock"), DefaultSocket.choose(Map.of(), ProcessUser.UNKNOWN));
  }

  @Test
  void theUidIsTheEffectiveOneOfTheStatusFile() throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Name:\tjava\nUid:\t1000\t1001\t1001\t1001\nGid:\t5\t5\t5\t5\n");
    assertEquals(1001, ProcessUser.read(status));
    assertEquals(ProcessUser.UNKNOWN, ProcessUser.read(dir.resolve("absent")));
    assertEquals((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), ProcessUser.uid(),
        "the test JVM's own uid");
  }
}
