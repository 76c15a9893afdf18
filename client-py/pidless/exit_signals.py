"""The signals that end a worker (SIGTERM, SIGHUP, SIGINT), made to wait for a flush in progress.

A Python signal handler runs in the main thread, between two bytecodes of whatever that thread
was doing. When it was flushing (atexit's final flush, a task-end flush, :func:`pidless.flush`),
the handler must neither start a flush of its own (the flush lock is held by that same thread:
it would wait the whole ``PIDLESS_EXIT_TIMEOUT`` and drop the batch) nor end the process (the
batch in flight would be lost). So it *defers*: it notes the signal and returns, the interrupted
flush goes on (bounded by its own timeout), and the signal is acted on the moment the flush ends.
``multiprocessing.Pool.terminate()`` sends SIGTERM to workers that are in their exit flush.

Outside a flush:

* SIGTERM, SIGHUP: flush, then what the process did before pidless (the Python handler that was
  installed, or the default action: the process ends by that signal).
* SIGINT: straight to the previous handler when it is a Python one (KeyboardInterrupt unwinds,
  and atexit flushes); flush first when it would end the process at once.

A signal that is ignored (``SIG_IGN``) stays ignored. :meth:`ExitSignals.install` may be called
again after somebody reset the handlers (pyspark.daemon does, at every task).

>>> calls = []
>>> guard = ExitSignals(lambda: calls.append("final flush"))
>>> try:
...     with guard.flushing():
...         guard.handle(signal.SIGINT, None)   # arrives during a flush: deferred
...         calls.append("the flush goes on")
... except KeyboardInterrupt:                   # SIGINT's previous handler, once it is over
...     calls.append("KeyboardInterrupt")
>>> calls
['the flush goes on', 'KeyboardInterrupt']
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading

_ENDING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                if hasattr(signal, name))


class ExitSignals:
    def __init__(self, final_flush) -> None:
        self._final_flush = final_flush   # never raises; bounded by the exit timeout
        self._previous = {signum: signal.default_int_handler if signum == signal.SIGINT
                          else signal.SIG_DFL for signum in _ENDING}
        self._depth = 0        # flushes in progress on the main thread
        self._deferred = None  # the first ending signal that arrived during one

    def install(self) -> None:
        """Handles the ending signals from now on; only the main thread can."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in _ENDING:
            current = signal.getsignal(signum)
            if current == self.handle or current is signal.SIG_IGN or current is None:
                continue   # ours already; ignored on purpose; or set outside Python: leave it
            self._previous[signum] = current
            signal.signal(signum, self.handle)

    def reset_after_fork(self) -> None:
        self._depth, self._deferred = 0, None

    @contextlib.contextmanager
    def flushing(self):
        """Marks a flush on the main thread: ending signals wait until it is over."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth and self._deferred is not None:
                signum, self._deferred = self._deferred, None
                self.handle(signum, None)

    def handle(self, signum: int, frame) -> None:
        if self._depth:
            if self._deferred is None:
                self._deferred = signum
            return
        previous = self._previous.get(signum, signal.SIG_DFL)
        if signum != signal.SIGINT or not callable(previous):
            with self.flushing():
                self._final_flush()
        if callable(previous):
            previous(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
