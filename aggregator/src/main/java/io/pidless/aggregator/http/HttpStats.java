package io.pidless.aggregator.http;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP requests the endpoint refused or cut short, by reason, exposed as
 * {@code pidless_http_refusals_total{reason}}. Updated from the HTTP event loop and the scrape threads.
 */
final class HttpStats {
  enum Reason {
    /** A connection did not send a whole request line and headers within {@code --http-timeout}. */
    REQUEST_TIMEOUT,
    /** A client did not take a response within {@code --http-timeout}. */
    RESPONSE_TIMEOUT,
    /** A request line or headers the HTTP decoder could not read, or too long. */
    BAD_REQUEST,
    /** A method other than GET or HEAD (answered 405). */
    METHOD_NOT_ALLOWED,
    /** A scrape waited {@code --http-timeout} for a render slot (answered 503). */
    SCRAPE_QUEUE_TIMEOUT,
    /** A scrape found the queue of waiting scrapes full (answered 503). */
    SCRAPE_QUEUE_FULL;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);

  HttpStats() {
    for (Reason r : Reason.values()) {
      counts.put(r, new LongAdder());
    }
  }

  void count(Reason reason) {
    counts.get(reason).increment();
  }

  long refusals(Reason reason) {
    return counts.get(reason).sum();
  }
}
