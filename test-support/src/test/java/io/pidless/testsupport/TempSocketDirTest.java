package io.pidless.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TempSocketDirTest {
  @Test
  void javadocExampleGivesAShortSocketPathAndCloseDeletesEverything() throws Exception {
    Path dir;
    try (TempSocketDir d = new TempSocketDir()) {
      dir = d.path();
      Path socket = d.socket();
      assertEquals(dir, socket.getParent());
      assertTrue(socket.toString().startsWith("/tmp/pl") && socket.toString().length() < 40, socket.toString());
      assertFalse(Files.exists(socket));
      Files.createDirectories(dir.resolve("run/pidless"));
      Files.writeString(dir.resolve("run/pidless/p.sock"), "left behind");
    }
    assertFalse(Files.exists(dir));
  }
}
