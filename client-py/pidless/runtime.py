"""The process-wide state: every series value, the delivery, the flusher thread, and the hooks
that keep them right across ``fork``, interpreter exit and SIGTERM.

* fork (``os.register_at_fork``): the child gets a new session id, no pending deltas (its parent
  keeps and sends its own, so nothing is counted twice), its own connection and a fresh flusher.
* exit: ``atexit`` (and, in a ``multiprocessing`` child, which may end with ``os._exit``, a
  ``multiprocessing.util.Finalize``) flushes, waiting at most ``PIDLESS_EXIT_TIMEOUT``.
* SIGTERM, SIGHUP, SIGINT: see :mod:`pidless.exit_signals` (installed when the first metric is
  defined, if that happens in the main thread); a signal that arrives during a flush waits for it.
* a PySpark worker: see :mod:`pidless.pyspark_worker` (task end, failed task, ``os._exit``).

Elsewhere ``os._exit`` runs none of these: that is what :func:`pidless.spark.instrument` is for.

>>> RUNTIME.flush(timeout=1.0)  # doctest: +SKIP
True
"""
from __future__ import annotations

import atexit
import os
import sys
import threading

from . import pyspark_worker
from .config import Config
from .delivery import Delivery
from .exit_signals import ExitSignals
from .names import family_name


class Runtime:
    def __init__(self) -> None:
        self.config = Config()
        self._values = []
        self._families = {}
        self._lock = threading.Lock()
        self.delivery = Delivery(self.values, self.config)
        self._wake = threading.Event()
        self._flusher = None
        self.signals = ExitSignals(self._final_flush)
        self._hooks_installed = False
        self._mp_hook_installed = False
        self._exited_pid = 0

    def values(self) -> list:
        return list(self._values)

    def register(self, metric) -> None:
        """Records a new metric; the same family defined twice in one process is a bug."""
        key = family_name(metric._name, metric._type)
        with self._lock:
            existing = self._families.get(key)
            if existing is not None:
                raise ValueError("Duplicated metric: %r is already defined in this process (as %s "
                                 "%r); define each metric once, at module level, and share it"
                                 % (metric._name, type(existing).__name__, existing._name))
            self._families[key] = metric
            self._start()

    def find(self, name: str, metric_type: int):
        return self._families.get(family_name(name, metric_type))

    def add_value(self, value) -> None:
        with self._lock:
            self._values.append(value)
            self._start()   # values of prometheus_client metrics come without a register()

    def flush(self, timeout: float) -> bool:
        """A flush somebody waits on: it reconnects and retries until ``timeout`` (a connection
        the aggregator closed on restart fails at the first write), so it gives up only when the
        aggregator stays unreachable for the whole timeout."""
        with self.signals.flushing():
            return self.delivery.flush(timeout=timeout, force=True, retry=True)

    def task_end_flush(self) -> bool:
        """The flush at the end of a task: waits for the ACK up to ``PIDLESS_EXIT_TIMEOUT``, but
        while the aggregator is known to be unreachable tries once, so that an outage does not add
        the whole timeout to every task (the deltas stay pending for the next flush)."""
        with self.signals.flushing():
            return self.delivery.flush(timeout=self.config.exit_timeout, force=True,
                                       retry=not self.delivery.unreachable)

    def reconfigure(self, socket_changed: bool) -> None:
        if socket_changed:
            self.delivery.disconnect()
        self._wake.set()

    def _start(self) -> None:
        if self._flusher is None:
            self._start_flusher()
        if not self._hooks_installed:
            self._hooks_installed = True
            atexit.register(self._at_exit)
            self.signals.install()
            self._hook_multiprocessing()

    def _start_flusher(self) -> None:
        self._wake = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, args=(self._wake,),
                                         name="pidless-flusher", daemon=True)
        self._flusher.start()

    def _flush_loop(self, wake: threading.Event) -> None:
        me = threading.current_thread()
        while self._flusher is me:
            if wake.wait(self.config.flush_interval):
                wake.clear()   # reconfigured: wait again, with the new interval
                continue
            self.delivery.flush(timeout=max(self.config.flush_interval, 2.0), force=False)

    def _at_exit(self) -> None:
        # Once per process: a multiprocessing spawn child runs both its finalizers and atexit.
        if self._exited_pid != os.getpid():
            self._exited_pid = os.getpid()
            self.final_flush()

    def final_flush(self) -> None:
        """The last flush of a process that is ending: waits up to ``PIDLESS_EXIT_TIMEOUT``."""
        with self.signals.flushing():
            self._final_flush()

    def _final_flush(self) -> None:
        if self._values:
            self.delivery.flush(timeout=self.config.exit_timeout, retry=True, final=True)

    def before_fork(self) -> None:
        # Also here, so that multiprocessing or a PySpark worker module loaded after pidless is
        # covered (pyspark.daemon forks a worker per task).
        self._hook_multiprocessing()
        pyspark_worker.install(self)

    def _hook_multiprocessing(self) -> None:
        """multiprocessing ends its fork and forkserver children with os._exit after running its
        own finalizers, never atexit: register one in every multiprocessing child."""
        mp_util = sys.modules.get("multiprocessing.util")
        if mp_util is None or self._mp_hook_installed:
            return
        self._mp_hook_installed = True
        # Runs in each child multiprocessing starts from here, and in this process when it is
        # a spawn or forkserver child still unpickling its target (which imported pidless).
        mp_util.register_after_fork(self, Runtime._after_multiprocessing_fork)
        if sys.modules["multiprocessing"].parent_process() is not None:
            self._after_multiprocessing_fork()   # a child already running its target

    def _after_multiprocessing_fork(self) -> None:
        sys.modules["multiprocessing.util"].Finalize(self, self._at_exit, exitpriority=10)

    def after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
        self.signals.reset_after_fork()
        for value in self._values:
            value.reset_after_fork()
        self.delivery.reset_after_fork()
        self._flusher = None
        if self._values:
            self._start_flusher()


RUNTIME = Runtime()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=RUNTIME.before_fork, after_in_child=RUNTIME.after_fork_in_child)
