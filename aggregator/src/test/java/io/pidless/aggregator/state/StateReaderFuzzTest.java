package io.pidless.aggregator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.SeriesStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link StateReader} (Jazzer). Most inputs are sealed into a state file
 * with the right magic, a version it reads (1; 2 with remote_write pushes; 3 with a family table) and
 * checksum, so the fuzzer explores the content rather than the CRC. Any file restores, or is an
 * {@link StateReader.UnreadableStateException} that restored nothing; no other exception, no array
 * sized beyond the file; what restores saves and restores again to the same series and pushes.
 */
class StateReaderFuzzTest {
  private static final Duration TTL = Duration.ofMinutes(10);
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
  private static final Path DIR = tempDir();

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("pidless-state-fuzz");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SeriesStore store() {
    return SeriesStore.builder().ttl(TTL).ticker(() -> 0).limits(Limits.DEFAULTS).clock(CLOCK).build();
  }

  /**
   * Odd first byte: the rest as the whole file; even: the rest sealed as a state file of version 3
   * (with a family table) when the first byte's third bit is set, else of version 2 (with pushes) or,
   * when its second bit is set, of version 1.
   */
  static byte[] file(byte[] input) {
    if (input.length == 0 || (input[0] & 1) == 1) {
      return input.length == 0 ? input : java.util.Arrays.copyOfRange(input, 1, input.length);
    }
    int version = (input[0] & 4) != 0 ? StateFormat.VERSION
        : (input[0] & 2) == 0 ? StateFormat.VERSION_WITHOUT_FAMILIES : StateFormat.VERSION_WITHOUT_PUSHES;
    ByteBuffer b = ByteBuffer.allocate(StateFormat.MAGIC.length + 4 + input.length - 1 + 4);
    b.put(StateFormat.MAGIC).putInt(version).put(input, 1, input.length - 1);
    return StateFileSurgery.sealed(b.array());
  }

  @FuzzTest(maxDuration = "6s")
  void restoresOrRestoresNothingAndRoundTrips(byte[] input) throws IOException {
    Path path = DIR.resolve("pidless.state");
    Files.write(path, file(input));
    SeriesStore store = store();
    SessionRegistry sessions = new SessionRegistry(TTL, 1_000, () -> 0);
    StateReader.Restored restored;
    try {
      restored = StateReader.restore(path, store, sessions, CLOCK);
    } catch (StateReader.UnreadableStateException e) {
      assertEquals(0, store.seriesCount(), "nothing of an unreadable file");
      assertEquals(0, sessions.size(), "nothing of an unreadable file");
      return;
    } finally {
      Files.deleteIfExists(path);
    }
    assertNotNull(restored);
    assertEquals(restored.series(), store.seriesCount());

    StateWriter.save(path, store, sessions, restored.pushes(), CLOCK);
    SeriesStore again = store();
    SessionRegistry sessionsAgain = new SessionRegistry(TTL, 1_000, () -> 0);
    StateReader.Restored restoredAgain = StateReader.restore(path, again, sessionsAgain, CLOCK);
    Files.delete(path);
    assertEquals(StateFileTest.contents(store), StateFileTest.contents(again), "saved and restored the same");
    assertEquals(sessions.size(), sessionsAgain.size());
    assertEquals(pushes(restored), pushes(restoredAgain), "saved and restored the same pushes");
  }

  /** The pushes as comparable text: URL, samples and body bytes. */
  private static List<String> pushes(StateReader.Restored r) {
    return r.pushes().stream()
        .map(p -> p.url() + " " + p.samples() + " " + java.util.Arrays.toString(p.body()))
        .toList();
  }
}
