package io.pidless.aggregator.state;

import io.pidless.aggregator.session.SessionRegistry;
import io.pidless.aggregator.store.Definition;
import io.pidless.aggregator.store.DefinitionRejectedException;
import io.pidless.aggregator.store.DeltaBuffer;
import io.pidless.aggregator.store.Family;
import io.pidless.aggregator.store.SeriesStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The pass that restores: each family is checked against the rules once, then its series are
 * created under the limits; series and sessions whose idle time ran out while the aggregator was
 * down are left out, series the rules or limits now refuse are skipped and counted.
 */
final class StateRestorer implements StateVisitor {
  private final SeriesStore store;
  private final SessionRegistry sessions;
  private final Clock clock;
  private final DeltaBuffer values = new DeltaBuffer();
  private final List<Definition> unused = new ArrayList<>(0);
  /** The store's family per row of the family table; null where the rules now refuse it. */
  private final List<Family> families = new ArrayList<>();
  private final List<SavedPush> pushes = new ArrayList<>();
  private long downtimeMillis;
  private long downtimeNanos;
  private int restored;
  private int expired;
  private int rejected;
  private int remembered;

  StateRestorer(SeriesStore store, SessionRegistry sessions, Clock clock) {
    this.store = store;
    this.sessions = sessions;
    this.clock = clock;
  }

  @Override
  public void savedAt(long millis) {
    downtimeMillis = Math.max(0, clock.millis() - millis);
    downtimeNanos = Duration.ofMillis(downtimeMillis).toNanos();
  }

  @Override
  public void family(SavedFamily f) {
    Family checked;
    try {
      checked = store.restoreFamily(f.request());
    } catch (DefinitionRejectedException e) {
      checked = null;
    }
    families.add(checked);
  }

  @Override
  public void series(SavedSeries s) {
    long idleLeft = s.idleLeftNanos() - downtimeNanos;
    if (idleLeft <= 0) {
      expired++;
      return;
    }
    Family family = families.get(s.family());
    if (family == null) {
      rejected++;
      return;
    }
    try {
      s.addValues(store.restore(family, s.labelValues(), s.createdMillis(), idleLeft), values);
      restored++;
    } catch (DefinitionRejectedException e) {
      rejected++;
    }
    if (values.size() == StateReader.APPLY_EVERY) {
      flush();
    }
  }

  @Override
  public void session(SessionRegistry.Remembered r) {
    if (r.idleLeftNanos() - downtimeNanos > 0
        && sessions.restore(new SessionRegistry.Remembered(r.id(), r.settledSeq(), r.idleLeftNanos() - downtimeNanos))) {
      remembered++;
    }
  }

  @Override
  public void push(SavedPush p) {
    pushes.add(p);
  }

  private void flush() {
    store.apply(values, 0, unused);
    values.clear();
  }

  StateReader.Restored result() {
    flush();
    return new StateReader.Restored(restored, expired, rejected, remembered, Duration.ofMillis(downtimeMillis),
        List.copyOf(pushes));
  }
}
