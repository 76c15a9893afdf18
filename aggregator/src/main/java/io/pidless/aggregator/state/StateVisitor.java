package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionRegistry;
import java.io.IOException;

/** What one pass over the file does with what it decodes, in file order. */
interface StateVisitor {
  void savedAt(long millis);

  /** The next row of the family table; series refer to the rows by their order. */
  void family(SavedFamily f);

  void series(SavedSeries s) throws IOException;

  void session(SessionRegistry.Remembered r);

  void push(SavedPush p);
}
