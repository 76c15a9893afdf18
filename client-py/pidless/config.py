"""Settings read from the environment, overridable with :func:`pidless.configure`.

=============================  =========================  ===================================
variable                       default                    meaning
=============================  =========================  ===================================
``PIDLESS_SOCKET``             /tmp/pidless/pidless.sock  the aggregator's Unix socket
``PIDLESS_FLUSH_INTERVAL``     1 (seconds)                how often the flusher thread sends
``PIDLESS_EXIT_TIMEOUT``       2 (seconds)                longest wait for the ACK at exit
``PIDLESS_PYSPARK_AUTO``       on                         task-end flushes in PySpark workers
``PIDLESS_PROMETHEUS_CLIENT``  off                        prometheus_client metrics sent too
=============================  =========================  ===================================

>>> Config({"PIDLESS_FLUSH_INTERVAL": "0.5"}).flush_interval
0.5
"""
from __future__ import annotations

import logging
import os

DEFAULT_SOCKET = "/tmp/pidless/pidless.sock"
DEFAULT_FLUSH_INTERVAL = 1.0
DEFAULT_EXIT_TIMEOUT = 2.0

log = logging.getLogger("pidless")


def _seconds(environ, name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        log.warning("pidless: ignoring %s=%r (expected a positive number of seconds); using %s",
                    name, raw, default)
        return default
    return value


def check_seconds(name: str, value) -> float:
    """Validates a duration given to :func:`pidless.configure`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError("Invalid %s: %r (expected a positive number of seconds)" % (name, value))
    return float(value)


class Config:
    __slots__ = ("socket", "flush_interval", "exit_timeout")

    def __init__(self, environ=os.environ) -> None:
        self.socket = environ.get("PIDLESS_SOCKET") or DEFAULT_SOCKET
        self.flush_interval = _seconds(environ, "PIDLESS_FLUSH_INTERVAL", DEFAULT_FLUSH_INTERVAL)
        self.exit_timeout = _seconds(environ, "PIDLESS_EXIT_TIMEOUT", DEFAULT_EXIT_TIMEOUT)
