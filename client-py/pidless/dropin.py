"""Unchanged prometheus_client code sends to pidless: :func:`install` (``PIDLESS_PROMETHEUS_CLIENT=1``).

prometheus_client builds every number of a ``Counter``, ``Gauge``, ``Histogram`` and ``Summary``
through one hook, ``prometheus_client.values.ValueClass(typ, metric_name, name, labelnames,
labelvalues, help_text, **kwargs)``: multiprocess mode swaps in its mmap-backed class there. pidless
swaps in :class:`Cell`, a float under a lock like prometheus_client's ``MutexValue`` (same ``inc``,
``set``, ``get``, exemplars; ``inc(1)`` lock-free), so the process's own ``/metrics`` keeps showing
its values and ``inc()`` costs no more than it did. Beside each series a pidless value (:class:`Snapshot` and friends) is
registered with the runtime: the flusher reads the cells and sends what changed since it last read
them, so delivery, fork, exit and signal handling are pidless' own (:mod:`pidless.runtime`).

* counter ``x``: the cell of ``x_total`` -> a pidless counter ``x_total``.
* gauge: the cell -> a pidless gauge; ``multiprocess_mode`` maps by :data:`MODES` (``all``, the
  default, and ``liveall`` become ``livesum``: ``sum without (pid)`` over the processes alive).
* histogram: the ``_sum`` cell, then one ``_bucket`` cell per bound (``+Inf`` last) -> one pidless
  histogram; summary: ``_count``, then ``_sum`` -> one pidless summary (no quantiles, as before).
* ``Info``, ``Enum`` and ``Gauge.set_function`` keep no cell: they stay in-process only.

Metrics that already exist in ``prometheus_client.REGISTRY`` are adopted: their ``MutexValue``
objects become cells in place (``__class__`` swapped under their own lock, the counts they hold are
sent). Metrics created with ``registry=None`` before the call, and values of another class
(multiprocess mode's), stay in-process only; the log line counts them.

After a fork the child's cells start from zero, as in multiprocess mode: the parent keeps and sends
what it counted. Internals used, checked by probes at install (a mismatch is logged once and leaves
prometheus_client untouched): ``values.ValueClass`` and its arguments, ``values.MutexValue``'s
``_value``/``_lock``/``_exemplar``, ``REGISTRY._collector_to_names``, and the metrics' ``_value``,
``_sum``, ``_count``, ``_buckets``, ``_upper_bounds``, ``_metrics``, ``_lock``, ``_labelnames``,
``_labelvalues``, ``_documentation``, ``_multiprocess_mode``. Tested with 0.16.

>>> import pidless
>>> pidless.install_prometheus_client()   # doctest: +SKIP
True
"""
from __future__ import annotations

import itertools
import logging
import os
import threading

from . import wire
from .runtime import RUNTIME
from .series import GAUGE_MODES, Series
from .values import _GIL_ENABLED, TAKE_LOCK_TIMEOUT, _count_of, _take_pending

log = logging.getLogger("pidless")

ENV_SWITCH = "PIDLESS_PROMETHEUS_CLIENT"
_ON = ("1", "true", "yes", "on")
# prometheus_client's multiprocess_mode -> pidless gauge mode (docs/PROTOCOL.md, "Gauge modes").
MODES = {"all": "livesum", "liveall": "livesum", "sum": "sum", "livesum": "livesum", "max": "max",
         "livemax": "livemax", "min": "min", "livemin": "livemin", "mostrecent": "last",
         "livemostrecent": "last"}
_SUM = GAUGE_MODES["sum"]
_TYPES = {"counter": wire.COUNTER, "gauge": wire.GAUGE, "histogram": wire.HISTOGRAM,
          "summary": wire.SUMMARY}

_state = threading.local()   # .group: the histogram/summary whose cells are being built; .probe
_installed = []


def requested(environ=os.environ) -> bool:
    """``PIDLESS_PROMETHEUS_CLIENT`` is 1/true/yes/on.

    >>> requested({"PIDLESS_PROMETHEUS_CLIENT": "1"}), requested({})
    (True, False)
    """
    return environ.get(ENV_SWITCH, "").strip().lower() in _ON


class Cell:
    """prometheus_client's ``MutexValue``, plus the pidless value that reads it.

    Instantiated by prometheus_client as ``values.ValueClass(...)``; a gauge gets a
    :class:`GaugeCell`, which also notes that it changed (and its peak, for ``max``/``min``).
    """

    _multiprocess = False

    def __new__(cls, typ, *args, **kwargs):
        return object.__new__(GaugeCell if typ == "gauge" else Cell)

    def __init__(self, typ, metric_name, name, labelnames, labelvalues, help_text,
                 multiprocess_mode="", **kwargs) -> None:
        self._value = 0.0
        self._exemplar = None
        self._lock = threading.Lock()
        self._ones = itertools.count()
        _attach(self, typ, metric_name, name, labelnames, labelvalues, help_text,
                multiprocess_mode)

    def _inc_locked(self, amount) -> None:
        with self._lock:
            self._value += amount

    def _inc_ones_lock_free(self, amount) -> None:
        # The commonest call, inc(1) (a counter, a histogram bucket, a summary count), is one
        # next() on an itertools.count: atomic under the GIL, as in pidless.values.CounterValue.
        if amount == 1:
            next(self._ones)
            return
        with self._lock:
            self._value += amount

    inc = _inc_ones_lock_free if _GIL_ENABLED else _inc_locked

    def set(self, value, timestamp=None) -> None:   # timestamp: mostrecent gauges (0.17+)
        with self._lock:
            self._value = value
            self._ones = itertools.count()

    def set_exemplar(self, exemplar) -> None:
        with self._lock:
            self._exemplar = exemplar

    def get(self):
        with self._lock:
            return self.total()

    def total(self):
        """The value, read without the lock (the flusher's read: each part only grows)."""
        return self._value + _count_of(self._ones)

    def get_exemplar(self):
        with self._lock:
            return self._exemplar

    def reset_after_fork(self) -> None:
        self._lock = threading.Lock()
        self._value = 0.0
        self._ones = itertools.count()


class GaugeCell(Cell):
    _dirty = False
    _peak = None   # max/min modes: the extreme value held since the last flush
    _pick = None

    def inc(self, amount) -> None:
        with self._lock:
            self._value += amount
            self._dirty = True
            if self._pick is not None:
                self._peak = self._pick(self._peak, self._value)

    def set(self, value, timestamp=None) -> None:
        with self._lock:
            self._value = value
            self._dirty = True
            if self._pick is not None:
                self._peak = self._pick(self._peak, value)

    def reset_after_fork(self) -> None:
        Cell.reset_after_fork(self)
        self._dirty = False
        self._peak = 0.0 if self._pick is not None else None


class _Reader:
    """A pidless value (see :mod:`pidless.values`) whose state is prometheus_client cells."""

    __slots__ = ("series", "_cells", "_sent")

    def __init__(self, series: Series, cells: list) -> None:
        self.series = series
        self._cells = cells
        self._sent = [0.0] * len(cells)

    def reset_after_fork(self) -> None:
        for cell in self._cells:
            cell.reset_after_fork()
        self._sent = [0.0] * len(self._cells)

    def resend_current(self) -> None:
        """Only live gauges re-send after a reconnect: see :class:`Current`."""

    def _deltas(self) -> list:
        """What each cell gained since the last take; a counter set below it was reset."""
        now = [cell.total() for cell in self._cells]
        deltas = [n - s if n >= s else n for n, s in zip(now, self._sent)]
        self._sent = now
        return deltas


class Snapshot(_Reader):
    """A counter, or a ``sum`` gauge (signed changes): ``f64`` of the cell's change."""

    __slots__ = ()

    def take(self):
        now, sent = self._cells[0].total(), self._sent[0]
        if now == sent:
            return None
        self._sent[0] = now
        if self.series.type == wire.COUNTER and now < sent:
            sent = 0.0   # Counter.reset() (prometheus_client >= 0.17): counts start again
        return _take_pending(self, now - sent)

    encode = staticmethod(wire.pack_f64)


class Current(_Reader):
    """A gauge in every mode but ``sum``: sends the current value (the peak for max/min)."""

    __slots__ = ("_has_value",)

    def __init__(self, series: Series, cells: list) -> None:
        _Reader.__init__(self, series, cells)
        self._has_value = False

    def take(self):
        cell = self._cells[0]
        # Bounded, as in pidless.values: a signal handler's flush may have interrupted set().
        if not cell._lock.acquire(timeout=TAKE_LOCK_TIMEOUT):
            return None
        try:
            value = cell._value
            if not cell._dirty and value == self._sent[0]:
                return None
            if cell._pick is not None and cell._peak is not None:
                value = cell._pick(cell._peak, value)
                cell._peak = cell._value
            cell._dirty = False
        finally:
            cell._lock.release()
        self._sent[0] = value
        self._has_value = True
        return float(value)

    def resend_current(self) -> None:
        if self.series.live and self._has_value:
            self._cells[0]._dirty = True   # a bool store: atomic, no lock needed

    def reset_after_fork(self) -> None:
        _Reader.reset_after_fork(self)
        self._has_value = False

    encode = staticmethod(wire.pack_f64)


class HistogramSnapshot(_Reader):
    """Cells ``[_sum, bucket..., +Inf bucket]``: ``varint`` per bucket, ``f64`` sum."""

    __slots__ = ()

    def take(self):
        deltas = self._deltas()
        buckets = [int(d) for d in deltas[1:]]
        if not any(buckets) and not deltas[0]:
            return None
        return buckets, deltas[0]

    @staticmethod
    def encode(delta) -> bytes:
        buckets, total = delta
        return b"".join([wire.varint(n) for n in buckets]) + wire.pack_f64(total)


class SummarySnapshot(_Reader):
    """Cells ``[_count, _sum]``: ``varint`` count, ``f64`` sum."""

    __slots__ = ()

    def take(self):
        count, total = self._deltas()
        if not count and not total:
            return None
        return int(count), total

    @staticmethod
    def encode(delta) -> bytes:
        count, total = delta
        return wire.varint(count) + wire.pack_f64(total)


class _Group:
    """The cells of one histogram or summary child, as prometheus_client creates them in a row."""

    def __init__(self, key, first: Cell, series_args: tuple) -> None:
        self.key, self.cells, self.series_args = key, [first], series_args
        self.bounds = []   # a histogram's ``le`` values, in order


def _attach(cell, typ, metric_name, name, labelnames, labelvalues, help_text, mode) -> None:
    """Registers the pidless value that reads ``cell`` (for histograms and summaries, once the
    child's last cell exists)."""
    probe = getattr(_state, "probe", None)
    if probe is not None:
        probe.append((typ, name, tuple(labelnames), tuple(labelvalues)))
        return
    labels = tuple(zip(labelnames, labelvalues))
    if typ == "counter":
        RUNTIME.add_value(Snapshot(Series(wire.COUNTER, 0, name, help_text, labels, ()), [cell]))
    elif typ == "gauge":
        _attach_gauge(cell, metric_name, help_text, labels, mode)
    elif typ == "histogram" and name == metric_name + "_sum":
        _state.group = _Group((metric_name, tuple(labelvalues)), cell,
                              (wire.HISTOGRAM, metric_name, help_text, labels))
    elif typ == "histogram" and name == metric_name + "_bucket":
        group = _group_for(metric_name, tuple(labelvalues[:-1]), cell)
        if group is not None and labelvalues[-1] == "+Inf":
            _state.group = None
            bounds = tuple(float(le) for le in group.bounds)
            RUNTIME.add_value(HistogramSnapshot(_series(group, bounds), group.cells))
        elif group is not None:
            group.bounds.append(labelvalues[-1])
    elif typ == "summary" and name == metric_name + "_count":
        _state.group = _Group((metric_name, tuple(labelvalues)), cell,
                              (wire.SUMMARY, metric_name, help_text, labels))
    elif typ == "summary" and name == metric_name + "_sum":
        group = _group_for(metric_name, tuple(labelvalues), cell)
        if group is not None:
            _state.group = None
            RUNTIME.add_value(SummarySnapshot(_series(group, ()), group.cells))
    else:
        _warn_once("pidless: prometheus_client series %s (%s) is not sent to the aggregator: "
                   "pidless does not know this kind of value; it stays in-process only"
                   % (name, typ))


def _group_for(metric_name: str, key_values: tuple, cell):
    group = getattr(_state, "group", None)
    if group is None or group.key != (metric_name, key_values):
        _warn_once("pidless: prometheus_client created %s%s out of the expected order; it stays "
                   "in-process only (a prometheus_client version pidless does not know?)"
                   % (metric_name, key_values))
        _state.group = None
        return None
    group.cells.append(cell)
    return group


def _series(group: _Group, bounds: tuple) -> Series:
    metric_type, name, help_text, labels = group.series_args
    return Series(metric_type, 0, name, help_text, labels, bounds)


def _attach_gauge(cell, name, help_text, labels, mp_mode) -> None:
    mode_name = MODES.get(mp_mode)
    if mode_name is None:
        _warn_once("pidless: Gauge %s has multiprocess_mode=%r, unknown to pidless; merging it as "
                   "livesum (set a mode from %s)" % (name, mp_mode, ", ".join(sorted(MODES))))
        mode_name = "livesum"
    mode = GAUGE_MODES[mode_name]
    series = Series(wire.GAUGE, mode, name, help_text, labels, ())
    if mode == _SUM:
        RUNTIME.add_value(Snapshot(series, [cell]))
        return
    if mode_name in ("max", "min"):
        cell._pick = max if mode_name == "max" else min
        cell._peak = cell._value
    cell._dirty = cell._value != 0
    RUNTIME.add_value(Current(series, [cell]))


_warned = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def install() -> bool:
    """Sends every prometheus_client metric of this process to the node's pidless aggregator.

    Returns True when installed (also on a repeated call), False when prometheus_client is
    missing or its internals are not the ones pidless knows: then one error is logged and
    prometheus_client is left as it was (its metrics keep working in-process).

    >>> import pidless
    >>> pidless.install_prometheus_client()   # doctest: +SKIP
    True
    """
    if _installed:
        return True
    try:
        import prometheus_client
        from prometheus_client import metrics, values
    except ImportError as e:
        log.error("pidless: install_prometheus_client() (or %s=1) needs prometheus_client, which "
                  "cannot be imported (%s): install it, or unset %s", ENV_SWITCH, e, ENV_SWITCH)
        return False
    version = _version(prometheus_client)
    previous = getattr(values, "ValueClass", None)
    problem = _probe(metrics, values)
    if problem is not None:
        values.ValueClass = previous
        log.error("pidless: not sending prometheus_client %s metrics to the aggregator: %s. "
                  "They keep working in-process; pidless-py supports the internals of "
                  "prometheus_client 0.16 (see pidless/dropin.py)", version, problem)
        return False
    _installed.append(version)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir"):
        log.warning("pidless: PROMETHEUS_MULTIPROC_DIR is set: prometheus_client metrics created "
                    "from now on go to the pidless aggregator, not to that directory's files; "
                    "unset it (see README, 'Already using prometheus_client?')")
    left = _adopt_registered(metrics, values.MutexValue)
    if left:
        log.warning("pidless: %d prometheus_client values created before "
                    "install_prometheus_client() are not MutexValue (multiprocess mode?) and stay "
                    "in-process only; install earlier (PIDLESS_PROMETHEUS_CLIENT=1 with "
                    "sitecustomize, see README)", left)
    return True


def _version(prometheus_client) -> str:
    try:
        from importlib.metadata import version
        return version("prometheus_client")
    except Exception:   # no metadata (vendored copy): the version is only for the log line
        return getattr(prometheus_client, "__version__", "(unknown version)")


def _probe(metrics, values):
    """Installs :class:`Cell` as ``values.ValueClass``; the reason it cannot work, or None."""
    mutex = getattr(values, "MutexValue", None)
    if mutex is None or not hasattr(values, "ValueClass"):
        return "prometheus_client.values has no MutexValue/ValueClass"
    try:
        sample = mutex("counter", "p", "p_total", (), (), "p")
        if sorted(vars(sample)) != ["_exemplar", "_lock", "_value"]:
            return "MutexValue holds %s, not _value/_lock/_exemplar" % sorted(vars(sample))
        registry = getattr(metrics, "REGISTRY", None)
        if not isinstance(getattr(registry, "_collector_to_names", None), dict):
            return "REGISTRY._collector_to_names is missing"
        values.ValueClass = Cell
        _state.probe = calls = []
        try:
            counter = metrics.Counter("probe", "p", ["a"], registry=None).labels("x")
            gauge = metrics.Gauge("probe", "p", multiprocess_mode="livesum", registry=None)
            histogram = metrics.Histogram("probe", "p", buckets=(1,), registry=None)
            summary = metrics.Summary("probe", "p", registry=None)
        finally:
            _state.probe = None
        expected = [("counter", "probe_total", ("a",), ("x",)), ("gauge", "probe", (), ()),
                    ("histogram", "probe_sum", (), ()), ("histogram", "probe_bucket", ("le",), ("1.0",)),
                    ("histogram", "probe_bucket", ("le",), ("+Inf",)),
                    ("summary", "probe_count", (), ()), ("summary", "probe_sum", (), ())]
        if calls != expected:
            return "metrics build their values as %s, expected %s" % (calls, expected)
        cells = [counter._value, gauge._value, histogram._sum] + list(histogram._buckets) + [
            summary._count, summary._sum]
        if not all(isinstance(c, Cell) for c in cells) or gauge._multiprocess_mode != "livesum":
            return "metrics do not keep their values in _value/_sum/_buckets/_count"
    except Exception as e:   # any other shape of the internals: say what broke
        return "probing its internals raised %r" % (e,)
    return None


def _adopt_registered(metrics, mutex) -> int:
    """Turns the MutexValues of metrics already in REGISTRY into cells; returns how many were
    left alone (another value class)."""
    left = 0
    for collector in list(metrics.REGISTRY._collector_to_names):
        if not isinstance(collector, metrics.MetricWrapperBase):
            continue   # custom collectors (process_*, gc_*...) build their samples at scrape
        children = [collector]
        if collector._is_parent():
            with collector._lock:
                children = list(collector._metrics.values())
        for child in children:
            left += _adopt_child(metrics, mutex, child)
    return left


def _adopt_child(metrics, mutex, m) -> int:
    """Replays the child's ``_metric_init`` onto its existing values, in the same order."""
    name, names, vals, doc = m._name, m._labelnames, m._labelvalues, m._documentation
    if isinstance(m, metrics.Counter):
        parts = [(m._value, "counter", name + "_total", names, vals, "")]
    elif isinstance(m, metrics.Gauge):
        parts = [(m._value, "gauge", name, names, vals, m._multiprocess_mode)]
    elif isinstance(m, metrics.Summary):
        parts = [(m._count, "summary", name + "_count", names, vals, ""),
                 (m._sum, "summary", name + "_sum", names, vals, "")]
    elif isinstance(m, metrics.Histogram):
        from prometheus_client.utils import floatToGoString
        parts = [(m._sum, "histogram", name + "_sum", names, vals, "")] + [
            (bucket, "histogram", name + "_bucket", names + ("le",), vals + (floatToGoString(b),), "")
            for bucket, b in zip(m._buckets, m._upper_bounds)]
    else:
        return 0   # Info, Enum: no value objects
    if any(type(value) is not mutex for value, *_ in parts):
        return len(parts)
    for value, typ, sample_name, labelnames, labelvalues, mode in parts:
        with value._lock:
            value._ones = itertools.count()
            value.__class__ = GaugeCell if typ == "gauge" else Cell
            _attach(value, typ, name, sample_name, labelnames, labelvalues, doc, mode)
    return 0
