"""PySpark glue: flush when a partition ends, and the executor settings that point workers at
the node's aggregator.

In pyspark.daemon workers pidless flushes at every task end by itself
(:mod:`pidless.pyspark_worker`). The decorator and the context manager here are the explicit way:
the deltas of a partition are sent, and acknowledged, when its function finishes; they also work
where no hook can (``os._exit`` outside pyspark, or ``PIDLESS_PYSPARK_AUTO=0``).

>>> @instrument
... def parse(rows):
...     for row in rows:
...         yield row.upper()
>>> list(parse(["a", "b"]))   # flushes (waiting for the ACK) after the last row
['A', 'B']
"""
from __future__ import annotations

import contextlib
import functools

from .runtime import RUNTIME


def _flush_task() -> None:
    # A module-level function: cloudpickle ships the decorated function by value and this one by
    # reference, where naming RUNTIME in the closure would try to pickle the runtime itself.
    RUNTIME.task_end_flush()


def instrument(func):
    """Decorates a function given to ``mapPartitions`` / ``foreachPartition`` so that its deltas
    are flushed, waiting for the ACK (at most ``PIDLESS_EXIT_TIMEOUT``), when the returned
    iterator is exhausted, raises, or is closed early. The function may also return ``None``.
    """
    @functools.wraps(func)
    def partition(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            if result is not None:
                yield from result
        finally:
            _flush_task()
    return partition


@contextlib.contextmanager
def flush_on_task_end():
    """Flushes, waiting for the ACK, when the block ends (however it ends).

    >>> with flush_on_task_end():
    ...     pass
    """
    try:
        yield
    finally:
        _flush_task()


def executor_conf() -> dict:
    """Spark conf entries that hand this process's pidless settings to every executor.

    >>> conf = executor_conf()
    >>> sorted(conf)[0]
    'spark.executorEnv.PIDLESS_EXIT_TIMEOUT'

    Use with a builder: ``for k, v in executor_conf().items(): builder = builder.config(k, v)``.
    """
    config = RUNTIME.config
    return {
        "spark.executorEnv.PIDLESS_SOCKET": config.socket,
        "spark.executorEnv.PIDLESS_FLUSH_INTERVAL": repr(config.flush_interval),
        "spark.executorEnv.PIDLESS_EXIT_TIMEOUT": repr(config.exit_timeout),
    }
