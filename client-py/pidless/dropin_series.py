"""What each prometheus_client value becomes in pidless: the series, and the pidless value
(:class:`Snapshot`, :class:`Current`, :class:`HistogramSnapshot`, :class:`SummarySnapshot`) that
the flusher reads the cells with, sending what changed since its last read.

prometheus_client creates the values of one child in a row: a counter's ``x_total``; a gauge's
value (its ``multiprocess_mode`` maps by :data:`MODES`); a histogram's ``_sum``, then one
``_bucket`` per bound, ``+Inf`` last; a summary's ``_count``, then ``_sum``. A histogram or summary
is registered once its last cell exists, so the flusher never sees half of one.

>>> MODES["all"], MODES["mostrecent"]
('livesum', 'last')
"""
from __future__ import annotations

import contextlib
import logging
import threading

from . import protocol, wire
from .protocol import GAUGE_MODES
from .runtime import RUNTIME
from .series import Series
from .values import TAKE_LOCK_TIMEOUT, _take_pending

log = logging.getLogger("pidless")

# prometheus_client's multiprocess_mode -> pidless gauge mode (docs/PROTOCOL.md, "Gauge modes").
MODES = {"all": "livesum", "liveall": "livesum", "sum": "sum", "livesum": "livesum", "max": "max",
         "livemax": "livemax", "min": "min", "livemin": "livemin", "mostrecent": "last",
         "livemostrecent": "last"}
_SUM = GAUGE_MODES["sum"]

_state = threading.local()   # .group: the histogram/summary whose cells are being built; .probe


@contextlib.contextmanager
def recording():
    """In this thread, new cells are only recorded as (typ, name, labelnames, labelvalues), not
    sent: how :func:`pidless.dropin.install` probes prometheus_client's internals."""
    _state.probe = calls = []
    try:
        yield calls
    finally:
        _state.probe = None


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
        if self.series.type == protocol.COUNTER and now < sent:
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

    def __init__(self, key, first, series_args: tuple) -> None:
        self.key, self.cells, self.series_args = key, [first], series_args
        self.bounds = []   # a histogram's ``le`` values, in order


def attach(cell, typ, metric_name, name, labelnames, labelvalues, help_text, mode) -> None:
    """Registers the pidless value that reads ``cell`` (for histograms and summaries, once the
    child's last cell exists)."""
    probe = getattr(_state, "probe", None)
    if probe is not None:
        probe.append((typ, name, tuple(labelnames), tuple(labelvalues)))
        return
    labels = tuple(zip(labelnames, labelvalues))
    if typ == "counter":
        series = Series(protocol.COUNTER, 0, name, help_text, labels, ())
        RUNTIME.add_value(Snapshot(series, [cell]))
    elif typ == "gauge":
        _attach_gauge(cell, metric_name, help_text, labels, mode)
    elif typ == "histogram" and name == metric_name + "_sum":
        _state.group = _Group((metric_name, tuple(labelvalues)), cell,
                              (protocol.HISTOGRAM, metric_name, help_text, labels))
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
                              (protocol.SUMMARY, metric_name, help_text, labels))
    elif typ == "summary" and name == metric_name + "_sum":
        group = _group_for(metric_name, tuple(labelvalues), cell)
        if group is not None:
            _state.group = None
            RUNTIME.add_value(SummarySnapshot(_series(group, ()), group.cells))
    else:
        warn_once("pidless: prometheus_client series %s (%s) is not sent to the aggregator: "
                  "pidless does not know this kind of value; it stays in-process only"
                  % (name, typ))


def _group_for(metric_name: str, key_values: tuple, cell):
    group = getattr(_state, "group", None)
    if group is None or group.key != (metric_name, key_values):
        warn_once("pidless: prometheus_client created %s%s out of the expected order; it stays "
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
        warn_once("pidless: Gauge %s has multiprocess_mode=%r, unknown to pidless; merging it as "
                  "livesum (set a mode from %s)" % (name, mp_mode, ", ".join(sorted(MODES))))
        mode_name = "livesum"
    mode = GAUGE_MODES[mode_name]
    series = Series(protocol.GAUGE, mode, name, help_text, labels, ())
    if mode == _SUM:
        RUNTIME.add_value(Snapshot(series, [cell]))
        return
    if mode_name in ("max", "min"):
        cell._pick = max if mode_name == "max" else min
        cell._peak = cell._value
    cell._dirty = cell._value != 0
    RUNTIME.add_value(Current(series, [cell]))


_warned = set()


def warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning(message)
