"""pidless: prometheus_client-style metrics for forking, short-lived Python workers (PySpark).

Each process adds to in-process pending deltas; a flusher thread sends them every
``PIDLESS_FLUSH_INTERVAL`` seconds to the node's pidless aggregator over a Unix socket, which sums
them without any pid label and serves one ``/metrics``.

>>> import pidless
>>> ROWS = pidless.Counter("example_rows_total", "Rows read", ["source"])
>>> ROWS.labels(source="s3").inc(10)
>>> pidless.flush(timeout=1.0)   # doctest: +SKIP
True

Code instrumented with prometheus_client sends too, unchanged, after
:func:`install_prometheus_client` (or ``PIDLESS_PROMETHEUS_CLIENT=1`` at ``import pidless``).

In a PySpark worker, every way a task or the worker ends flushes first
(:mod:`pidless.pyspark_worker`); ``pidless.spark`` has the explicit helpers, and the README
(section "PySpark") a complete example.
"""
from __future__ import annotations

from . import dropin, pyspark_worker, spark
from .config import check_seconds
from .metrics import DEFAULT_BUCKETS, Counter, Gauge, Histogram, Summary
from .runtime import RUNTIME

pyspark_worker.install(RUNTIME)

__all__ = ["Counter", "Gauge", "Histogram", "Summary", "DEFAULT_BUCKETS", "configure", "flush",
           "install_prometheus_client", "spark"]
__version__ = "0.1.0"


def configure(socket=None, flush_interval=None, exit_timeout=None) -> None:
    """Overrides ``PIDLESS_SOCKET``, ``PIDLESS_FLUSH_INTERVAL``, ``PIDLESS_EXIT_TIMEOUT``.

    >>> pidless.configure(socket="/run/pidless/pidless.sock", flush_interval=0.5)  # doctest: +SKIP
    """
    config = RUNTIME.config
    if socket is not None and (not isinstance(socket, str) or not socket):
        raise ValueError("Invalid socket: %r (expected the path of the aggregator's Unix socket)"
                         % (socket,))
    if flush_interval is not None:
        config.flush_interval = check_seconds("flush_interval", flush_interval)
    if exit_timeout is not None:
        config.exit_timeout = check_seconds("exit_timeout", exit_timeout)
    socket_changed = socket is not None and socket != config.socket
    if socket is not None:
        config.socket = socket
    RUNTIME.reconfigure(socket_changed)


def flush(timeout: float = 2.0) -> bool:
    """Sends every pending delta now and waits up to ``timeout`` seconds for the ACK.

    Returns True when the aggregator acknowledged everything, False otherwise (it is unreachable,
    or slow); never raises because of the aggregator. Unsent deltas stay pending.

    >>> pidless.flush(timeout=1.0)  # doctest: +SKIP
    True
    """
    return RUNTIME.flush(check_seconds("timeout", timeout))


def install_prometheus_client() -> bool:
    """Every prometheus_client ``Counter``, ``Gauge``, ``Histogram`` and ``Summary`` of this
    process, also those defined before the call, sends its changes to the aggregator too; the
    process's own prometheus_client ``/metrics`` keeps its values. True when installed; False,
    with one error logged, when prometheus_client is missing or of a shape pidless does not know.
    ``PIDLESS_PROMETHEUS_CLIENT=1`` does this at ``import pidless``. See :mod:`pidless.dropin`.

    >>> import prometheus_client, pidless  # doctest: +SKIP
    >>> REQUESTS = prometheus_client.Counter("app_requests_total", "Requests")  # doctest: +SKIP
    >>> pidless.install_prometheus_client()  # doctest: +SKIP
    True
    >>> REQUESTS.inc()   # counted in-process and by the aggregator  # doctest: +SKIP
    """
    return dropin.install()


if dropin.requested():
    install_prometheus_client()
