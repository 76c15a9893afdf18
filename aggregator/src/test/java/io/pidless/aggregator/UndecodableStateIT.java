package io.pidless.aggregator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pidless.aggregator.state.StateFileSurgery;
import io.pidless.testsupport.AggregatorCommand;
import io.pidless.testsupport.AggregatorProcess;
import io.pidless.testsupport.TempSocketDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A state file whose checksum is valid but whose content does not decode (issue 13, item 6): the
 * real jar with deploy/'s JVM options moves it aside, says so, starts empty and serves; it used to
 * exit 1 on every start.
 */
class UndecodableStateIT {
  private TempSocketDir dir;
  private Path state;

  @BeforeEach
  void setUp() throws Exception {
    dir = new TempSocketDir();
    state = dir.path().resolve("pidless.state");
  }

  @AfterEach
  void tearDown() throws Exception {
    dir.close();
  }

  static Stream<Arguments> crafted() {
    int labels = StateFileSurgery.firstLabelCount("kept", "help for kept_total");
    return Stream.of(
        Arguments.of("label count -1 in family 1 of 1",
            (UnaryOperator<byte[]>) f -> StateFileSurgery.putShort(f, labels, -1)),
        Arguments.of("it ends inside family 1 of 1",
            (UnaryOperator<byte[]>) f -> StateFileSurgery.cut(f, labels + 1)),
        Arguments.of("it ends inside session 2 of 2",
            (UnaryOperator<byte[]>) f -> StateFileSurgery.putInt(f, StateFileSurgery.sessionCount(f, 1), 2)));
  }

  private AggregatorCommand deployed() {
    return AggregatorCommand.on(dir.socket()).deployed();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("crafted")
  void isMovedAsideAndTheAggregatorStartsEmptyAndServes(String why, UnaryOperator<byte[]> surgery)
      throws Exception {
    try (AggregatorProcess p = AggregatorProcess.start(deployed())) {
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "kept_total").add(1, 1, 5).sendAndAck(1);
      }
      assertEquals(0.0, p.scrape().value("pidless_state_files_unreadable_total"));
      assertEquals(0, p.stop(), p.output());
    }
    byte[] bad = surgery.apply(Files.readAllBytes(state));
    Files.write(state, bad);

    try (AggregatorProcess p = AggregatorProcess.start(deployed())) {
      assertTrue(p.output().contains("state file " + state + " passes its checksum but cannot be decoded (" + why
          + "); moved it to " + state + ".unreadable and starting empty"), p.output());
      assertArrayEquals(bad, Files.readAllBytes(state.resolveSibling("pidless.state.unreadable")),
          "kept as it was, for a post-mortem");
      assertFalse(Files.exists(state));
      assertEquals(1.0, p.scrape().value("pidless_state_files_unreadable_total"), "counted, for the alert");
      assertFalse(p.scrape().has("kept_total"), "nothing of the undecodable file is restored");
      try (TestClient c = new TestClient(dir.socket())) {
        c.hello();
        c.counter(1, "fresh_total").add(1, 1, 3).sendAndAck(1);
      }
      assertEquals(3.0, p.scrape().value("fresh_total"), "it serves");
      assertEquals(0, p.stop(), p.output());
    }
  }
}
