package io.pidless.aggregator.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import io.pidless.aggregator.config.AggregatorConfig.Limits;
import io.pidless.aggregator.stats.AggregatorStats;
import io.pidless.aggregator.stats.Budget;
import io.pidless.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * Every merged series of the node, keyed by name and labels, expiring when idle.
 *
 * <p>Expiry: a writer refreshes its series' idle clock in Caffeine at most every {@code ttl/64}
 * (a Caffeine lookup per delta would cost more than the merge itself), and the idle clock runs
 * {@code ttl + ttl/64}, so a series is removed after between {@code ttl} and {@code ttl * 65/64}
 * without writes: never earlier than {@code ttl}.
 *
 * <p>Concurrency contract: {@link #define}, {@link #apply} and {@link #release} may run on any
 * number of threads at once; {@link #snapshot} excludes {@code apply}, so a scrape sees each batch
 * whole or not at all. Expiry happens inside Caffeine, on whichever thread touches the cache. It
 * retires the series atomically with respect to its deltas (a counter's one compare-and-set word, the
 * other kinds' lock), and {@code apply} re-resolves a retired series, so a delta racing with expiry
 * lands either in the old series before it goes or in a new one: never nowhere, never in both.
 *
 * <p>What a definition must be is {@link DefinitionRules}'; this class only stores. It is longer than
 * this repository's 300 lines because the cache, the family table, the text budget and the two locks
 * keep the one concurrency contract above, which is checked more easily read in one place than split.
 *
 * <pre>{@code
 * SeriesStore store = SeriesStore.builder().ttl(Duration.ofMinutes(10)).build();
 * Definition d = store.define(new DefineRequest(1, 0, "jobs_total", "Jobs", new String[0], new String[0], new double[0]));
 * }</pre>
 */
public final class SeriesStore {
  private final Cache<SeriesKey, Series> series;
  /** {@link #series}' per-entry expiry, which a restore sets and a save reads. */
  private final Policy.VarExpiration<SeriesKey, Series> expiry;
  /** Guards {@link #families}, {@link #exposedBy} and every family's members. */
  private final Object familyLock = new Object();
  private final Map<String, Family> families = new HashMap<>();
  private final Map<String, Family> exposedBy = new HashMap<>();
  private final AtomicLong seriesCount = new AtomicLong();
  /** Bytes of series text held, {@link SeriesText#of series} and {@link SeriesText#ofFamily families}. */
  private final Budget textBytes;
  private final ReentrantReadWriteLock scrapeLock = new ReentrantReadWriteLock();
  private final Limits limits;
  private final DefinitionRules rules;
  private final Clock clock;
  private final AggregatorStats stats;
  private final Consumer<SeriesSnapshot> expiryListener;
  private final Ticker ticker;
  private final long touchEveryNanos;

  private SeriesStore(Builder b) {
    this.limits = b.limits;
    this.rules = new DefinitionRules(b.limits);
    this.textBytes = b.textBytes;
    this.clock = b.clock;
    this.stats = b.stats;
    this.expiryListener = b.expiryListener;
    this.ticker = b.ticker;
    this.touchEveryNanos = touchInterval(b.ttl).toNanos();
    Caffeine<SeriesKey, Series> caffeine = Caffeine.newBuilder()
        .ticker(b.ticker)
        .executor(Runnable::run)
        .expireAfter(new IdleExpiry<SeriesKey, Series>(b.ttl.plus(touchInterval(b.ttl)), Series::pinned))
        .evictionListener((SeriesKey key, Series s, RemovalCause cause) -> onEvicted(s, cause));
    if (b.expectedSeries > 0) {
      caffeine.initialCapacity(b.expectedSeries);
    }
    if (b.scheduler != null) {
      caffeine.scheduler(b.scheduler);
    }
    this.series = caffeine.build();
    this.expiry = series.policy().expireVariably().orElseThrow();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How often a writer refreshes its series' idle clock, and so how late expiry may come. */
  static Duration touchInterval(Duration ttl) {
    return ttl.dividedBy(64);
  }

  /**
   * Checks a definition against the {@link DefinitionRules}, the limits and the family's first definer,
   * and creates its series if it does not exist yet.
   */
  public Definition define(DefineRequest r) throws DefinitionRejectedException {
    Family family = shared(rules.check(r));
    String[] names = family.labelNameArray();
    SeriesKey key = SeriesKey.of(family, names, sortedValues(r, names));
    Definition d = new Definition(key, family, null);
    d.series = resolve(d, true);
    d.touchedNanos = ticker.read();
    return d;
  }

  /**
   * Checks a family an earlier aggregator saved, once for all of its series, by the rules a DEFINE
   * meets ({@code r}'s label values are not looked at): what {@link #restore(Family, String[], long, long)}
   * takes. Restoring 100,000 series this way costs a fraction of defining each.
   */
  public Family restoreFamily(DefineRequest r) throws DefinitionRejectedException {
    return shared(rules.check(r));
  }

  /**
   * Re-creates one series of a family {@link #restoreFamily} checked, under the limits a DEFINE meets,
   * keeping its {@code _created} time and the idle time it had left; {@code labelValues} come in the
   * family's label name order. Its values come back through {@link #apply}, as deltas from zero. A
   * series restored already (a file that holds it twice: no writer of ours makes one) is refused, so
   * its values are not added twice.
   */
  public Definition restore(Family family, String[] labelValues, long createdMillis, long idleLeftNanos)
      throws DefinitionRejectedException {
    rules.checkLabelValues(family.name(), labelValues);
    Definition d = new Definition(SeriesKey.of(family, family.labelNameArray(), labelValues), family, null);
    Series candidate = Series.create(d.key(), family, createdMillis);
    Series s;
    try {
      s = expiry.compute(candidate,
          (k, old) -> {
            if (old != null) {
              throw new Rejected(new DefinitionRejectedException(ErrorCode.INVALID_DEFINITION,
                  "series " + k + " is restored twice; the first is kept"));
            }
            return register(candidate, true);
          },
          Duration.ofNanos(Math.max(idleLeftNanos, 1)));
    } catch (Rejected e) {
      throw e.cause;
    }
    adopt(d, s);
    d.touchedNanos = ticker.read();
    return d;
  }

  /** How long {@code key}'s series has left before it expires idle; 0 when it is gone already. */
  public long idleLeftNanos(SeriesKey key) {
    return expiry.getExpiresAfter(key, TimeUnit.NANOSECONDS).orElse(0);
  }

  /**
   * Applies a validated batch. Deltas for definitions rejected earlier are dropped and counted;
   * definitions this batch finds newly unusable (their family came back with another type after
   * expiring) are added to {@code newlyRejected}.
   */
  public void apply(DeltaBuffer batch, long writer, List<Definition> newlyRejected) {
    long now = ticker.read();
    scrapeLock.readLock().lock();
    try {
      for (int i = 0; i < batch.size(); i++) {
        Definition d = batch.def(i);
        if (d.rejection() != null) {
          stats.deltasDroppedRejectedSeries.increment();
          continue;
        }
        try {
          Series s = d.series;
          if (now - d.touchedNanos >= touchEveryNanos) {
            s = resolve(d, false);
            d.touchedNanos = now;
          }
          Series.Applied applied;
          while ((applied = s.apply(batch, i, writer)) == Series.Applied.RETIRED) {
            s = resolve(d, false);
          }
          if (applied == Series.Applied.SATURATED) {
            stats.valueSaturated(d.family().type());
          }
          if (d.family().live()) {
            d.markLiveWritten();
            series.asMap().replace(d.key(), s, s);
          }
        } catch (DefinitionRejectedException e) {
          d.reject(e.getMessage());
          newlyRejected.add(d);
          stats.deltasDroppedRejectedSeries.increment();
        }
      }
    } finally {
      scrapeLock.readLock().unlock();
    }
  }

  /** Removes {@code writer}'s values from the live gauges among {@code defs}; its connection closed. */
  public void release(Iterable<Definition> defs, long writer) {
    for (Definition d : defs) {
      if (d != null && d.liveWritten()) {
        d.series.release(writer);
        series.asMap().replace(d.key(), d.series, d.series);
      }
    }
  }

  /**
   * Every series, copied while no batch is being applied, the series of each family next to each
   * other. The family lock is held only to list the series, so definitions go on meanwhile; a series
   * that expires after that is left out, and one defined after it has no deltas yet.
   */
  public List<SeriesSnapshot> snapshot() {
    SeriesCopy copy = new SeriesCopy();
    copy(copy);
    return copy.snapshots();
  }

  /**
   * What {@link #snapshot} returns, into {@code into} (emptied first), whose arrays a scrape thread
   * reuses: batches wait only while numbers are copied into them, and nothing per series is allocated.
   */
  public void copy(SeriesCopy into) {
    series.cleanUp();
    into.clear();
    into.reserve((int) Math.min(seriesCount.get() + 16, Integer.MAX_VALUE - 16));
    scrapeLock.writeLock().lock();
    try {
      synchronized (familyLock) {
        for (Family f : families.values()) {
          f.copyMembers(into);
        }
      }
      into.fill();
    } finally {
      scrapeLock.writeLock().unlock();
    }
  }

  public long seriesCount() {
    return seriesCount.get();
  }

  /** The budget of series text: its use and limit are self-metrics. */
  public Budget textBytes() {
    return textBytes;
  }

  public int familyCount() {
    synchronized (familyLock) {
      return families.size();
    }
  }

  /** Runs pending expiry now; tests call it after advancing their ticker. */
  public void cleanUp() {
    series.cleanUp();
  }

  /**
   * The series of {@code d}'s key, created if missing. The cache's key is the new series itself, so a
   * miss first makes a candidate, which costs nothing but its allocation when another thread wins.
   */
  private Series resolve(Definition d, boolean enforceLimit) throws DefinitionRejectedException {
    Series s = series.getIfPresent(d.key());
    if (s == null) {
      Series candidate = Series.create(d.key(), d.family(), clock.millis());
      try {
        s = series.get(candidate, k -> register(candidate, enforceLimit));
      } catch (Rejected e) {
        throw e.cause;
      }
    }
    adopt(d, s);
    return s;
  }

  /** Points {@code d} at {@code s}, the series its key found, unless their families clash. */
  private static void adopt(Definition d, Series s) throws DefinitionRejectedException {
    if (s.family != d.family()) {
      DefinitionRejectedException clash = DefinitionRules.typeClash(s.family, d.family());
      if (clash != null) {
        throw clash;
      }
      d.family(s.family);
    }
    d.key(s);
    d.series = s;
  }

  /** Counts {@code s} in, takes its text and adds it to its family: it is going into the cache. */
  private Series register(Series s, boolean enforceLimit) {
    if (seriesCount.incrementAndGet() > limits.maxSeries() && enforceLimit) {
      seriesCount.decrementAndGet();
      throw new Rejected(new DefinitionRejectedException(ErrorCode.SERIES_LIMIT, "series " + s
          + " would exceed the limit of " + limits.maxSeries() + " series; existing series keep working"
          + " (raise --max-series, or drop a high-cardinality label)"));
    }
    long text = SeriesText.of(s);
    if (!takeText(text, enforceLimit)) {
      seriesCount.decrementAndGet();
      throw new Rejected(textLimit("series " + s, text));
    }
    try {
      acquire(s, enforceLimit);
    } catch (Rejected e) {
      seriesCount.decrementAndGet();
      textBytes.give(text);
      throw e;
    }
    stats.seriesCreated.increment();
    return s;
  }

  private void onEvicted(Series s, RemovalCause cause) {
    SeriesSnapshot last = s.retire();
    seriesCount.decrementAndGet();
    textBytes.give(SeriesText.of(s));
    if (cause == RemovalCause.EXPIRED) {
      stats.seriesExpired.increment();
      expiryListener.accept(last);
    }
    release(s);
  }

  /**
   * The family already held under this name when it is compatible, so every key of a family shares
   * one name string and one label-name array; else {@code wanted} itself.
   */
  private Family shared(Family wanted) {
    synchronized (familyLock) {
      Family f = families.get(wanted.name());
      return f != null && f.clashWith(wanted) == null ? f : wanted;
    }
  }

  /**
   * Adds {@code s} to its family, creating the family if this is its first, else giving {@code s} the
   * family instance held (of the same type and mode, so of the same kind of series).
   */
  private void acquire(Series s, boolean enforceLimit) {
    Family wanted = s.family;
    synchronized (familyLock) {
      Family f = families.get(wanted.name());
      if (f == null) {
        for (String name : wanted.exposedNames()) {
          Family other = exposedBy.get(name);
          if (other != null) {
            throw new Rejected(DefinitionRules.exposureClash(wanted, name, other));
          }
        }
        long text = SeriesText.ofFamily(wanted);
        if (!takeText(text, enforceLimit)) {
          throw new Rejected(textLimit("metric " + wanted.name() + "'s help and label names", text));
        }
        families.put(wanted.name(), wanted);
        for (String name : wanted.exposedNames()) {
          exposedBy.put(name, wanted);
        }
        f = wanted;
      }
      DefinitionRejectedException clash = DefinitionRules.typeClash(f, wanted);
      if (clash != null) {
        throw new Rejected(clash);
      }
      s.family = f;
      f.add(s);
    }
  }

  private void release(Series s) {
    Family f = s.family;
    synchronized (familyLock) {
      if (f.remove(s) && families.remove(f.name(), f)) {
        textBytes.give(SeriesText.ofFamily(f));
        for (String name : f.exposedNames()) {
          exposedBy.remove(name, f);
        }
      }
    }
  }

  /** Takes {@code n} bytes of the text budget; past the limit only when {@code enforceLimit} is off. */
  private boolean takeText(long n, boolean enforceLimit) {
    if (textBytes.take(n)) {
      return true;
    }
    if (enforceLimit) {
      return false;
    }
    textBytes.force(n);
    return true;
  }

  private DefinitionRejectedException textLimit(String what, long bytes) {
    return new DefinitionRejectedException(ErrorCode.SERIES_BYTES_LIMIT, what + " would take " + bytes
        + " bytes of series text, past the budget of " + textBytes.limit() + " (--max-series-bytes; "
        + textBytes.used() + " held); existing series keep working (shorten long label values or help, or raise"
        + " -Xmx or --max-series-bytes)");
  }

  private static String[] sortedValues(DefineRequest r, String[] sortedNames) {
    String[] values = new String[sortedNames.length];
    for (int i = 0; i < sortedNames.length; i++) {
      values[i] = r.labelValues()[indexOf(r.labelNames(), sortedNames[i])];
    }
    return values;
  }

  private static int indexOf(String[] a, String s) {
    for (int i = 0; i < a.length; i++) {
      if (a[i].equals(s)) {
        return i;
      }
    }
    throw new IllegalStateException("label " + s + " vanished");
  }

  /** Carries a checked rejection out of a Caffeine or map compute function. */
  private static final class Rejected extends RuntimeException {
    final DefinitionRejectedException cause;

    Rejected(DefinitionRejectedException cause) {
      super(null, null, false, false);
      this.cause = cause;
    }
  }

  /** Builder in Caffeine's style; time is injected so tests never sleep. */
  public static final class Builder {
    private Duration ttl = Duration.ofMinutes(10);
    private Limits limits = Limits.DEFAULTS;
    private Budget textBytes = new Budget(Long.MAX_VALUE);
    private Ticker ticker = Ticker.systemTicker();
    private Clock clock = Clock.systemUTC();
    private Scheduler scheduler;
    private AggregatorStats stats = new AggregatorStats();
    private Consumer<SeriesSnapshot> expiryListener = s -> { };
    private int expectedSeries;

    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    public Builder limits(Limits limits) {
      this.limits = limits;
      return this;
    }

    /** The budget of series text (--max-series-bytes); unbounded unless given. */
    public Builder textBytes(Budget budget) {
      this.textBytes = budget;
      return this;
    }

    /** Monotonic time for expiry. */
    public Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    /** Wall-clock time for {@code _created}. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Lets expiry happen without traffic; without it, expiry runs on the next access or scrape. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = scheduler;
      return this;
    }

    public Builder stats(AggregatorStats stats) {
      this.stats = stats;
      return this;
    }

    /** Told the final state of every series that expires, on the thread that expired it. */
    public Builder expiryListener(Consumer<SeriesSnapshot> listener) {
      this.expiryListener = listener;
      return this;
    }

    /**
     * Sizes the cache for {@code n} series before the first is created, as a restore of a state file
     * that holds {@code n} needs: without it the table grows step by step through the restore. 0 (the
     * default) leaves it small.
     */
    public Builder expectedSeries(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("expected series must not be negative: " + n);
      }
      this.expectedSeries = n;
      return this;
    }

    public SeriesStore build() {
      return new SeriesStore(this);
    }
  }
}
