"""Settings read from the environment, overridable with :func:`pidless.configure`.

=============================  ==========================  ======================================
variable                       default                     meaning
=============================  ==========================  ======================================
``PIDLESS_SOCKET``             see :func:`default_socket`  the aggregator's Unix socket
``PIDLESS_AGGREGATOR_UID``     any                         send only to an aggregator of this uid
``PIDLESS_FLUSH_INTERVAL``     1 (seconds)                 how often the flusher thread sends
``PIDLESS_EXIT_TIMEOUT``       2 (seconds)                 longest wait for the ACK at exit
``PIDLESS_PYSPARK_AUTO``       on                          task-end flushes in PySpark workers
``PIDLESS_PROMETHEUS_CLIENT``  off                         prometheus_client metrics sent too
=============================  ==========================  ======================================

>>> Config({"PIDLESS_FLUSH_INTERVAL": "0.5"}).flush_interval
0.5
"""
from __future__ import annotations

import logging
import os

ROOT_SOCKET = "/run/pidless/pidless.sock"
SHARED_TMP_SOCKET = "/tmp/pidless/pidless.sock"
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


def default_socket(environ, uid: int) -> str:
    """The socket when none is configured: the rule the aggregator follows too (docs/PROTOCOL.md,
    "Transport"), so that a user who starts both finds them meeting.

    ``PIDLESS_SOCKET``, else ``/run/pidless/pidless.sock`` as root, else
    ``$XDG_RUNTIME_DIR/pidless/pidless.sock`` when that is an absolute path, else
    ``/tmp/pidless/pidless.sock``.

    >>> default_socket({"XDG_RUNTIME_DIR": "/run/user/1000"}, 1000)
    '/run/user/1000/pidless/pidless.sock'
    """
    named = environ.get("PIDLESS_SOCKET")
    if named and named.strip():
        return named
    if uid == 0:
        return ROOT_SOCKET
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and runtime.startswith("/"):
        return os.path.join(runtime, "pidless", "pidless.sock")
    return SHARED_TMP_SOCKET


def check_seconds(name: str, value) -> float:
    """Validates a duration given to :func:`pidless.configure`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ValueError("Invalid %s: %r (expected a positive number of seconds)" % (name, value))
    return float(value)


class Config:
    __slots__ = ("socket", "aggregator_uid", "flush_interval", "exit_timeout")

    def __init__(self, environ=os.environ, uid=None) -> None:
        self.socket = default_socket(environ, os.geteuid() if uid is None else uid)
        # Checked on every connection (connection.check_peer); None: any aggregator is trusted.
        self.aggregator_uid = (environ.get("PIDLESS_AGGREGATOR_UID") or "").strip() or None
        self.flush_interval = _seconds(environ, "PIDLESS_FLUSH_INTERVAL", DEFAULT_FLUSH_INTERVAL)
        self.exit_timeout = _seconds(environ, "PIDLESS_EXIT_TIMEOUT", DEFAULT_EXIT_TIMEOUT)
