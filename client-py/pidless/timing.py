"""Context managers that are also decorators: ``time()``, ``count_exceptions()``,
``track_inprogress()`` (the prometheus_client helpers of the same names).

>>> seen = []
>>> with Timer(seen.append):
...     pass
>>> len(seen)
1
"""
from __future__ import annotations

import functools
import time


class _Decorating:
    """Using an instance as a decorator runs each call of the function inside a fresh copy."""

    def _fresh(self):
        raise NotImplementedError

    def __call__(self, func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with self._fresh():
                return func(*args, **kwargs)
        return wrapped


class Timer(_Decorating):
    """Calls ``callback(seconds)`` with the time spent inside the block."""

    def __init__(self, callback) -> None:
        self._callback = callback
        self._start = 0.0

    def _fresh(self):
        return Timer(self._callback)

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._callback(max(time.perf_counter() - self._start, 0.0))


class ExceptionCounter(_Decorating):
    """Increments ``counter`` when the block raises ``exception`` (the exception still propagates)."""

    def __init__(self, counter, exception) -> None:
        self._counter = counter
        self._exception = exception

    def _fresh(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and issubclass(exc_type, self._exception):
            self._counter.inc()
        return False


class InprogressTracker(_Decorating):
    """Adds one to ``gauge`` while the block runs."""

    def __init__(self, gauge) -> None:
        self._gauge = gauge

    def _fresh(self):
        return self

    def __enter__(self):
        self._gauge.inc()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._gauge.dec()
