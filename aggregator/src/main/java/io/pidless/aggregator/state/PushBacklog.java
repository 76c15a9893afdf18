package io.pidless.aggregator.state;

import java.util.List;

/**
 * What the state file asks of remote_write: the pushes still undelivered at a graceful stop, and
 * where to hand them back at the next start.
 */
public interface PushBacklog {
  /** Keeps nothing: for an aggregator without remote_write, and for tests of the series alone. */
  PushBacklog NONE = new PushBacklog() {
    @Override
    public List<SavedPush> undelivered() {
      return List.of();
    }

    @Override
    public void restore(List<SavedPush> pushes) {}
  };

  List<SavedPush> undelivered();

  void restore(List<SavedPush> pushes);
}
