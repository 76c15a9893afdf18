"""The one bounded wait of the tests: reads a value until it satisfies a condition.

Another process or thread does what a test waits for (a close noticed, a series expired, a worker
ready) in its own time; each wait says what it waits for, and a wait that runs out fails with that
and the last value seen, instead of sleeping a fixed time and hoping it was enough.

    busy = await_value("the closed workers' gauges gone", lambda: agg.value("wk_busy"),
                       lambda v: v == 0.0)
"""
from __future__ import annotations

import time

DEFAULT_TIMEOUT = 10.0
_FIRST_PAUSE = 0.01
_LONGEST_PAUSE = 0.1


def await_value(what: str, probe, until, timeout: float = DEFAULT_TIMEOUT):
    """Calls ``probe()`` until ``until(value)`` holds and returns that value; pauses 10 ms at first,
    up to 100 ms between calls. Raises AssertionError naming ``what`` and the last value once
    ``timeout`` seconds have passed; an exception from ``probe`` ends the wait."""
    deadline = time.monotonic() + timeout
    pause = _FIRST_PAUSE
    while True:
        value = probe()
        if until(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("waited %.1f s for %s; last value: %r" % (timeout, what, value))
        time.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)
