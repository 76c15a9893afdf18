"""Per-series pending state: what one process has to send for one labelled series.

The hot path (``inc``, ``set``, ``observe``) touches only this in-process state: no syscall, no
file I/O. ``x += 1`` on an attribute is not atomic under the GIL on every supported interpreter
(3.8 and 3.9 can switch threads between the load and the store; tests/test_values.py catches the
lost and doubled updates), so each series has a ``threading.Lock``. The commonest call,
``Counter.inc()`` by 1, avoids it: it is one ``next()`` on an ``itertools.count``, a single C call
that the GIL makes atomic, which the flusher reads (``repr``) without writing. Builds without a
GIL take the lock for every call. docs/perf/client-py.md has the figures.

The flusher calls ``take()``, which returns the delta accumulated since the last ``take()`` (or
``None``) and starts a new one, and ``encode(delta)``, which gives the delta's BATCH body.

>>> from pidless.series import Series
>>> c = CounterValue(Series(protocol.COUNTER, 0, "jobs_total", "Jobs", (), ()))
>>> c.inc(2); c.inc()
>>> c.take()
3.0
>>> c.take() is None
True
"""
from __future__ import annotations

import bisect
import itertools
import logging
import sys
import threading
import time

from . import protocol, wire
from .timing import ExceptionCounter, InprogressTracker, Timer

log = logging.getLogger("pidless")

_INF = float("inf")
# False on free-threaded builds (3.13t), where no single C call is atomic by itself.
_GIL_ENABLED = getattr(sys, "_is_gil_enabled", lambda: True)()
_pack_f64 = wire.pack_f64
_varint = wire.varint

# How long the flusher waits for a series lock held by user code. Bounded so that a SIGTERM
# handler running in a thread that was interrupted inside ``inc`` cannot deadlock the exit flush.
TAKE_LOCK_TIMEOUT = 0.5


class _Value:
    __slots__ = ("series", "_lock")

    def __init__(self, series) -> None:
        self.series = series
        self._lock = threading.Lock()
        self._zero()

    def reset_after_fork(self) -> None:
        """A forked child starts from nothing: its parent sends what was pending before the fork."""
        self._lock = threading.Lock()
        self._zero()

    def take(self):
        if not self._lock.acquire(timeout=TAKE_LOCK_TIMEOUT):
            return None
        try:
            return self._take()
        finally:
            self._lock.release()

    def resend_current(self) -> None:
        """Called after a reconnect; only live gauges have something to re-send."""


def _take_pending(value, pending: float):
    """Returns ``pending`` as the delta (None when zero), or drops it when it overflowed."""
    if pending == 0:
        return None
    if not -_INF < pending < _INF:
        # Finite increments that overflowed: the aggregator would reject the whole batch.
        log.warning("pidless: dropping a pending change of %r for %s: the increments "
                    "overflowed a float", pending, value.series)
        return None
    return pending


def _count_of(ones) -> int:
    """The next value of an ``itertools.count()``, read without advancing it: ``count(42)``."""
    return int(repr(ones)[6:-1])


class CounterValue(_Value):
    """Pending increment of one counter series; ``encode`` gives ``f64 increment``."""

    __slots__ = ("_pending", "_ones", "_ones_taken")

    def _zero(self) -> None:
        self._pending = 0.0
        self._ones = itertools.count()
        self._ones_taken = 0

    def _inc_locked(self, amount=1) -> None:
        if not 0 <= amount < _INF:
            raise ValueError("Counters can only be incremented by finite non-negative amounts, "
                             "got %r for %s" % (amount, self.series))
        with self._lock:
            self._pending += amount

    def _inc_ones_lock_free(self, amount=1) -> None:
        if amount == 1:
            next(self._ones)
            return
        self._inc_locked(amount)

    inc = _inc_ones_lock_free if _GIL_ENABLED else _inc_locked

    def _take(self):
        ones = _count_of(self._ones)
        pending = self._pending + (ones - self._ones_taken)
        self._ones_taken = ones
        self._pending = 0.0
        return _take_pending(self, pending)

    encode = staticmethod(_pack_f64)

    def count_exceptions(self, exception=Exception) -> ExceptionCounter:
        """Counts exceptions of type ``exception`` leaving a block or function (and re-raises)."""
        return ExceptionCounter(self, exception)


class _GaugeHelpers:
    __slots__ = ()

    def dec(self, amount=1) -> None:
        self.inc(-amount)

    def set_to_current_time(self) -> None:
        self.set(time.time())

    def track_inprogress(self) -> InprogressTracker:
        """Adds one while a block or function runs (suits the default ``livesum`` mode)."""
        return InprogressTracker(self)

    def time(self) -> Timer:
        """Sets the gauge to the duration of a block or function, in seconds."""
        return Timer(self.set)


class _ObserveHelpers:
    __slots__ = ()

    def time(self) -> Timer:
        """Observes the duration of a block or function, in seconds."""
        return Timer(self.observe)


class SumGaugeValue(_GaugeHelpers, _Value):
    """A ``sum`` gauge: this process's contribution, sent as signed changes (``f64 change``)."""

    __slots__ = ("_pending", "_value")

    def _zero(self) -> None:
        self._pending = 0.0
        self._value = 0.0

    def inc(self, amount=1) -> None:
        if not -_INF < amount < _INF:
            raise ValueError("A sum gauge changes by finite amounts, got %r for %s"
                             % (amount, self.series))
        with self._lock:
            self._pending += amount
            self._value += amount

    def set(self, value) -> None:
        """Sets this process's contribution, sending the change from the previous one."""
        if not -_INF < value < _INF:
            raise ValueError("A sum gauge holds finite values, got %r for %s" % (value, self.series))
        with self._lock:
            self._pending += value - self._value
            self._value = value

    def _take(self):
        pending, self._pending = self._pending, 0.0
        return _take_pending(self, pending)

    encode = staticmethod(_pack_f64)


class AbsoluteGaugeValue(_GaugeHelpers, _Value):
    """A gauge whose delta is this process's current value (every mode but ``sum``)."""

    __slots__ = ("_value", "_dirty", "_has_value")

    def _zero(self) -> None:
        self._value = 0.0
        self._dirty = False
        self._has_value = False

    def inc(self, amount=1) -> None:
        with self._lock:
            self._value += amount
            self._dirty = self._has_value = True

    def set(self, value) -> None:
        with self._lock:
            self._value = float(value)
            self._dirty = self._has_value = True

    def _take(self):
        if not self._dirty:
            return None
        self._dirty = False
        return self._value

    def resend_current(self) -> None:
        if self.series.live:
            with self._lock:
                self._dirty = self._has_value

    encode = staticmethod(_pack_f64)


class PeakGaugeValue(AbsoluteGaugeValue):
    """A ``max`` or ``min`` gauge: sends the most extreme value held since the last flush."""

    __slots__ = ("_peak", "_pick")

    def _zero(self) -> None:
        AbsoluteGaugeValue._zero(self)
        self._peak = None
        self._pick = max if self.series.mode == protocol.GAUGE_MODES["max"] else min

    def inc(self, amount=1) -> None:
        with self._lock:
            self._hold(self._value + amount)

    def set(self, value) -> None:
        with self._lock:
            self._hold(float(value))

    def _hold(self, value: float) -> None:
        self._value = value
        self._peak = value if self._peak is None else self._pick(self._peak, value)
        self._dirty = self._has_value = True

    def _take(self):
        if not self._dirty:
            return None
        self._dirty = False
        peak, self._peak = self._peak, None
        return peak


class HistogramValue(_ObserveHelpers, _Value):
    """Pending observations: ``varint`` per bucket (not cumulative, ``+Inf`` last), ``f64`` sum."""

    __slots__ = ("_buckets", "_sum", "_bounds")

    def _zero(self) -> None:
        self._bounds = self.series.bounds
        self._buckets = [0] * (len(self._bounds) + 1)
        self._sum = 0.0

    def observe(self, amount) -> None:
        if not -_INF < amount < _INF:
            raise ValueError("Observations must be finite, got %r for %s" % (amount, self.series))
        i = bisect.bisect_left(self._bounds, amount)
        with self._lock:
            self._buckets[i] += 1
            self._sum += amount

    def _take(self):
        buckets = self._buckets
        if not any(buckets):
            return None
        self._buckets = [0] * len(buckets)
        total, self._sum = self._sum, 0.0
        return buckets, total

    @staticmethod
    def encode(delta) -> bytes:
        buckets, total = delta
        return b"".join([_varint(n) for n in buckets]) + _pack_f64(total)


class SummaryValue(_ObserveHelpers, _Value):
    """Pending observations of a summary: ``varint`` count, ``f64`` sum (no quantiles)."""

    __slots__ = ("_count", "_sum")

    def _zero(self) -> None:
        self._count = 0
        self._sum = 0.0

    def observe(self, amount) -> None:
        if not -_INF < amount < _INF:
            raise ValueError("Observations must be finite, got %r for %s" % (amount, self.series))
        with self._lock:
            self._count += 1
            self._sum += amount

    def _take(self):
        if self._count == 0:
            return None
        delta = (self._count, self._sum)
        self._count = 0
        self._sum = 0.0
        return delta

    @staticmethod
    def encode(delta) -> bytes:
        count, total = delta
        return _varint(count) + _pack_f64(total)
