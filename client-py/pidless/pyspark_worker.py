"""Exact in a PySpark worker without ``@pidless.spark.instrument``: every way pyspark ends a task
or a worker process flushes first.

pyspark.daemon forks the Python workers of an executor and runs ``pyspark.worker.main`` in one
for each task. How they end, and what pidless hooks:

* **A task ends.** ``main`` writes the task's output, then the accumulator updates
  (``send_accumulator_updates``), then ``END_OF_STREAM``; the JVM marks the task done only once
  it has read that last int, which is still in the worker's output buffer when the accumulators
  are written. So a task-end flush there is acknowledged before Spark can see the task end:
  totals are exact right after ``collect()``.
* **A task fails** (it raised, or called ``sys.exit``): ``handle_worker_exception`` writes the
  error; flush before it. The failed attempt's delivered deltas count, like its accumulators'.
* **The worker process ends** with ``os._exit``: pyspark.daemon's after a failed task, after every
  task when ``spark.python.worker.reuse`` is off, and any the task's own code calls. In a worker,
  ``os._exit`` flushes first, waiting at most ``PIDLESS_EXIT_TIMEOUT``.
* **SIGHUP, SIGTERM** (the daemon's shutdown): pyspark.daemon resets both to ``SIG_DFL`` when each
  task starts; pidless' handlers (:mod:`pidless.exit_signals`) are put back right after.
* **SIGKILL** (Spark killing a task, ``spark.python.worker.killOnIdleTimeout``): nothing can run;
  what the task recorded since its last flush is lost.

Installed by ``import pidless`` in a process where ``pyspark.worker`` is loaded, and before every
fork (a pyspark.daemon that imported pidless itself, from ``sitecustomize`` say), unless
``PIDLESS_PYSPARK_AUTO=0``. Nothing is added to ``inc()``; a task with nothing pending flushes
without touching the socket. During an aggregator outage a task-end flush tries once (see
:meth:`pidless.runtime.Runtime.task_end_flush`).

>>> install(object())   # no pyspark.worker loaded here: does nothing
"""
from __future__ import annotations

import functools
import os
import sys

ENV_SWITCH = "PIDLESS_PYSPARK_AUTO"
_OFF = ("0", "false", "no", "off")


def enabled(environ=os.environ) -> bool:
    """``PIDLESS_PYSPARK_AUTO`` unset, or anything but 0/false/no/off.

    >>> enabled({"PIDLESS_PYSPARK_AUTO": "off"}), enabled({})
    (False, True)
    """
    return environ.get(ENV_SWITCH, "").strip().lower() not in _OFF


def install(runtime) -> None:
    """Hooks the PySpark worker modules loaded in this process, once."""
    worker = _loaded("pyspark.worker")
    if worker is None or not enabled():
        return
    _hook(worker, "send_accumulator_updates", runtime.task_end_flush)
    _hook(worker, "handle_worker_exception", runtime.task_end_flush)
    daemon = _loaded("pyspark.daemon")
    if daemon is not None:
        _hook(daemon, "worker_main", runtime.signals.install)
    _hook(os, "_exit", runtime.final_flush)
    runtime.signals.install()


def _loaded(name: str):
    """The module ``name`` if loaded, also when it runs as ``__main__`` (``python -m``)."""
    module = sys.modules.get(name)
    if module is None:
        main = sys.modules.get("__main__")
        if getattr(getattr(main, "__spec__", None), "name", None) == name:
            module = main
    return module


def _hook(module, name: str, first) -> None:
    """Replaces ``module.name`` by a function that calls ``first()``, then the original."""
    original = getattr(module, name, None)
    if original is None or getattr(original, "_pidless_hook", False):
        return

    @functools.wraps(original)
    def hooked(*args, **kwargs):
        try:
            first()
        finally:   # the original runs whatever happened; a signal deferred in first() follows
            result = original(*args, **kwargs)
        return result

    hooked._pidless_hook = True
    setattr(module, name, hooked)
