package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pidless.protocol.ProcessUser;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.TempSocketDir;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hijack through the socket directory (issue 13, item 5), against the real jar with deploy/'s JVM
 * options: a socket directory or state file another user owns or can write is refused at start with
 * a message naming the path and the fix, a planted state file is not restored, a directory the
 * aggregator creates lets only the socket mode's users in, and the default socket of a user is in
 * its runtime directory. The chown cases need root (as CI runs); uid 65534 ({@code nobody}) plays
 * the other user.
 */
class StrictModesIT {
  private static final int NOBODY = 65534;

  private TempSocketDir dir;

  @BeforeEach
  void setUp() throws Exception {
    dir = new TempSocketDir();
  }

  @AfterEach
  void tearDown() throws Exception {
    dir.close();
  }

  /** Starts the jar on {@code socket}, expects exit 1 and returns what it printed. */
  private static String refusedStart(Path socket) throws Exception {
    try (AggregatorProcess p = AggregatorProcess.launch(AggregatorCommand.on(socket).deployed())) {
      assertEquals(1, p.waitFor(), p.output());
      return p.output();
    }
  }

  private static void chown(Path path, int uid) throws IOException {
    UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
        java.nio.file.LinkOption.NOFOLLOW_LINKS);
    view.setOwner(users.lookupPrincipalByName(Integer.toString(uid)));
    view.setGroup(users.lookupPrincipalByGroupName(Integer.toString(uid)));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static long uid() {
    return ProcessUser.uid();
  }

  @Test
  void aSocketDirectoryOfAnotherUserIsRefusedAndLeftUntouched() throws Exception {
    assumeTrue(uid() == 0, "chown to another user needs root");
    Path theirs = Files.createDirectory(dir.path().resolve("pidless"));
    Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxrwxrwx"));
    chown(theirs, NOBODY);   // the attack: /tmp/pidless pre-created by another user, mode 777

    String out = refusedStart(theirs.resolve("pidless.sock"));
    assertTrue(out.contains("refusing socket directory " + theirs + ": it is owned by uid 65534, not by this user"
        + " (uid 0) or root, so another user could replace what the aggregator keeps there. Remove it (rm -r "
        + theirs + ") so the aggregator creates its own, or pass --socket to use a directory of your own"), out);
    try (var files = Files.list(theirs)) {
      assertEquals(List.of(), files.toList(), "no socket, no state file written there");
    }
  }

  @Test
  void aSocketDirectoryOthersCanWriteIsRefusedEvenIfOurs() throws Exception {
    Path open = Files.createDirectory(dir.path().resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    String out = refusedStart(open.resolve("p.sock"));
    assertTrue(out.contains("refusing socket directory " + open + ": it is writable by group and others (mode"
        + " 0777), so another user could replace what the aggregator keeps there. Run chmod go-w " + open), out);

    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwx---"));
    out = refusedStart(open.resolve("p.sock"));
    assertTrue(out.contains("it is writable by group (mode 0770)"), out);

    Path inside = Files.createDirectory(open.resolve("mine"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    out = refusedStart(inside.resolve("p.sock"));
    assertTrue(out.contains("refusing socket directory " + inside + ": its parent " + open + " is writable by group"
        + " and others (mode 0777) without the sticky bit"), out);
    assertFalse(Files.exists(inside.resolve("p.sock")));
  }

  @Test
  void aMissingSocketDirectoryIsCreatedForTheSocketModesUsersOnly() throws Exception {
    Path socket = dir.path().resolve("run/pidless/p.sock");
    try (AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(socket).deployed())) {
      assertEquals("rwxr-x---", mode(socket.getParent()), "socket mode 0660: the group may traverse, not write");
      assertEquals("rwxr-x---", mode(socket.getParent().getParent()));
      assertEquals(0, p.stop());
    }
    Path privateSocket = dir.path().resolve("private/p.sock");
    try (AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(privateSocket, "--socket-mode", "0600").deployed())) {
      assertEquals("rwx------", mode(privateSocket.getParent()));
      assertEquals(0, p.stop());
    }
  }

  @Test
  void aPlantedStateFileIsRefusedAndNotRestored() throws Exception {
    assumeTrue(uid() == 0, "chown to another user needs root");
    Path state = dir.path().resolve("pidless.state");
    try (AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket()).deployed())) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "adv_injected_total").add(1, 1, 1e9).sendAndAck(1);
      }
      assertEquals(0, p.stop());
    }
    byte[] planted = Files.readAllBytes(state);   // a file in the real format, as an attacker would write
    chown(state, NOBODY);
    String out = refusedStart(dir.socket());
    assertTrue(out.contains("refusing state file " + state + ": it is owned by uid 65534, not by this user (uid 0)"
        + " or root, so another user may have planted it; it was not used. Check it, then remove it or make it"
        + " yours (chown 0 " + state + "; chmod 0600 " + state + "), or pass --state-file off to start without it"),
        out);
    assertFalse(out.contains("restored"), out);

    chown(state, 0);
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rw--w----"));
    out = refusedStart(dir.socket());
    assertTrue(out.contains("refusing state file " + state + ": it is writable by group (mode 0620)"), out);

    assertArrayEquals(planted, Files.readAllBytes(state), "left where it is, unchanged, for the operator");
    assertFalse(Files.exists(state.resolveSibling("pidless.state.unreadable")));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rw-------"));
    try (AggregatorProcess p = AggregatorProcess.start(AggregatorCommand.on(dir.socket()).deployed())) {
      assertEquals(1e9, p.scrape().value("adv_injected_total"), "restored once it is ours and private again");
      assertEquals(0, p.stop());
    }
  }

  @Test
  void aUsersDefaultSocketIsInItsRuntimeDirectory() throws Exception {
    assumeTrue(uid() == 0, "running the jar as another user needs root");
    Path runtime = Files.createDirectory(dir.path().resolve("user"));
    Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
    chown(runtime, NOBODY);
    Path socket = runtime.resolve("pidless/pidless.sock");
    AggregatorCommand asNobody = AggregatorCommand.flags("--listen", "127.0.0.1:0")
        .deployed()
        .env(Map.of("XDG_RUNTIME_DIR", runtime.toString()))
        .asUser(NOBODY, NOBODY);
    try (AggregatorProcess p = AggregatorProcess.start(asNobody)) {
      assertEquals(socket, p.socket());
      assertEquals(NOBODY, (int) Files.getAttribute(socket.getParent(), "unix:uid"), "created by the aggregator");
      assertEquals("rwxr-x---", mode(socket.getParent()));
      try (TestClient c = new TestClient(socket)) {
        c.hello();
        c.counter(1, "as_nobody_total").add(1, 1, 7).sendAndAck(1);
      }
      assertEquals(7.0, p.scrape().value("as_nobody_total"));
      assertEquals(0, p.stop(), p.output());
    }
    assertEquals(NOBODY, (int) Files.getAttribute(runtime.resolve("pidless/pidless.state"), "unix:uid"),
        "its state file beside the socket");
  }
}
