"""The value class pidless puts in ``prometheus_client.values.ValueClass``: :class:`Cell`.

A cell is what prometheus_client's ``MutexValue`` is, a float under a lock, with the same
``inc``, ``set``, ``get`` and exemplars, so the process's own ``/metrics`` shows its own values.
Two differences: ``inc(1)`` (a counter, a histogram bucket, a summary count) is one ``next()`` on
an ``itertools.count``, lock-free under the GIL as in :class:`pidless.values.CounterValue`; and
creating one registers, through :func:`pidless.dropin_series.attach`, the pidless value that the
flusher reads it with. After a fork a cell starts from zero, as in multiprocess mode.

>>> from pidless.dropin_series import recording
>>> with recording() as calls:
...     c = Cell("counter", "jobs", "jobs_total", (), (), "Jobs")
>>> c.inc(1); c.inc(2); c.get()
3.0
>>> calls
[('counter', 'jobs_total', (), ())]
"""
from __future__ import annotations

import itertools
import threading

from .dropin_series import attach
from .values import _GIL_ENABLED, _count_of


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
        attach(self, typ, metric_name, name, labelnames, labelvalues, help_text,
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
