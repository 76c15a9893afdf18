package io.pidless.aggregator;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per event on stderr, {@code 2026-11-26T06:00:00.123Z INFO message}; JDK logging only. */
final class Logging {
  private Logging() {}

  /** {@code level} is {@code debug}, {@code info} (default), {@code warn} or {@code error}. */
  static void configure(String level) {
    Level l = switch (level == null ? "info" : level.toLowerCase(Locale.ROOT)) {
      case "debug" -> Level.FINE;
      case "warn" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> Level.INFO;
    };
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setLevel(l);
    handler.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String msg = formatMessage(r);
        String thrown = r.getThrown() == null ? "" : " " + r.getThrown();
        return r.getInstant() + " " + name(r.getLevel()) + " " + msg + thrown + System.lineSeparator();
      }
    });
    root.addHandler(handler);
    root.setLevel(Level.INFO);
    Logger.getLogger("io.pidless").setLevel(l);
  }

  private static String name(Level l) {
    if (l == Level.SEVERE) {
      return "ERROR";
    }
    if (l == Level.WARNING) {
      return "WARN";
    }
    return l == Level.INFO ? "INFO" : "DEBUG";
  }
}
