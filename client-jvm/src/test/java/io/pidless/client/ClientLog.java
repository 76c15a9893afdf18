package io.pidless.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the client logs while open, read through java.util.logging, where {@code System.Logger} sends
 * it when no other backend is installed.
 *
 * <pre>{@code
 * try (ClientLog log = ClientLog.capture()) {
 *   ...
 *   assertEquals(1, log.warnings().size());
 * }
 * }</pre>
 */
final class ClientLog implements AutoCloseable {
  private final Logger logger = Logger.getLogger("io.pidless.client");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private ClientLog() {
    logger.addHandler(handler);
  }

  static ClientLog capture() {
    return new ClientLog();
  }

  /** Every message logged so far, in order. */
  List<String> messages() {
    return records.stream().map(LogRecord::getMessage).toList();
  }

  /** Messages at WARNING or above. */
  List<String> warnings() {
    return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogRecord::getMessage).toList();
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
