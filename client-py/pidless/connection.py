"""One blocking Unix socket connection to the aggregator, bounded by deadlines.

Connecting says HELLO and waits for HELLO_OK, which tells the client what the aggregator already
settled for this session (``last_seq``) and whether it restarted (``instance``). Series ids are
per connection, so the id map lives here and is thrown away with the connection, and so does the
set of series the aggregator rejected on it.

>>> conn = Connection("/tmp/pidless/pidless.sock", os.urandom(16), time.monotonic() + 1)  # doctest: +SKIP
>>> conn.hello_ok.last_seq  # doctest: +SKIP
0
"""
from __future__ import annotations

import logging
import os
import socket
import struct
import time

from . import wire
from .protocol import LENGTH_PREFIX_BYTES

log = logging.getLogger("pidless")

CLIENT_NAME = "pidless-py/0.1.0"
# struct ucred {pid_t pid; uid_t uid; gid_t gid;} as SO_PEERCRED returns it.
_UCRED = struct.Struct("3i")


class UntrustedAggregator(OSError):
    """The process behind the socket is not the aggregator ``PIDLESS_AGGREGATOR_UID`` requires."""


def check_peer(sock: socket.socket, required, path: str) -> None:
    """Raises :class:`UntrustedAggregator` unless the peer of ``sock`` runs as uid ``required``.

    The kernel says who is behind a Unix socket (SO_PEERCRED); a user who swapped the socket cannot
    pass for the aggregator. ``required`` None trusts anyone.
    """
    if required is None:
        return
    if not required.isdigit():
        raise UntrustedAggregator(
            "PIDLESS_AGGREGATOR_UID=%s is not a numeric uid; sending nothing to the aggregator at %s "
            "until it is (id -u <aggregator user> prints it)" % (required, path))
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    _pid, uid, _gid = _UCRED.unpack(creds)
    if uid != int(required):
        raise UntrustedAggregator(
            "refusing the aggregator at %s: the process behind it runs as uid %d, not uid %s as "
            "PIDLESS_AGGREGATOR_UID requires; another user may have replaced the socket. Nothing is "
            "sent to it; deltas are kept in memory" % (path, uid, required))


class HelloRefused(ConnectionError):
    """The aggregator answered HELLO with an ERROR (e.g. SESSION_LIMIT): no connection now."""

    def __init__(self, error: "wire.Error") -> None:
        super().__init__("aggregator refused the connection with code %d: %s" % (error.code, error.message))
        self.error = error


class Connection:
    def __init__(self, path: str, session: bytes, deadline: float, aggregator_uid=None) -> None:
        self.ids = {}        # Value -> series id on this connection
        self.by_id = {}      # series id -> Value
        self.rejected = set()  # Values whose DEFINE the aggregator rejected on this connection
        self._decoder = wire.FrameDecoder()
        self._pending_frames = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._timeout(deadline)
            self._sock.connect(path)
            check_peer(self._sock, aggregator_uid, path)
            self.send(wire.hello(session, "%s (pid %d)" % (CLIENT_NAME, os.getpid())), deadline)
            first = self.read(deadline)
        except BaseException:
            self._sock.close()
            raise
        if isinstance(first, wire.Error):
            self._sock.close()
            raise HelloRefused(first)
        if not isinstance(first, wire.HelloOk):
            self._sock.close()
            raise wire.ProtocolError("aggregator answered HELLO with %r" % (first,))
        self.hello_ok = first

    def id_for(self, value, out: list):
        """The value's id here, appending its DEFINE frame to ``out`` the first time.

        None, with the value rejected on this connection and a warning, when its DEFINE is longer
        than the aggregator's ``max_frame_bytes``: the aggregator would close the connection for it.
        """
        series_id = self.ids.get(value)
        if series_id is None:
            series_id = len(self.ids) + 1
            frame = value.series.define_frame(series_id)
            length, limit = len(frame) - LENGTH_PREFIX_BYTES, self.hello_ok.max_frame_bytes
            if length > limit:
                self.rejected.add(value)
                log.warning("pidless: %s is not sent to the aggregator: its definition takes %d bytes, "
                            "more than the aggregator's --max-frame-bytes %d. Shorten its help text or "
                            "label values, or raise --max-frame-bytes", value.series, length, limit)
                return None
            self.ids[value] = series_id
            self.by_id[series_id] = value
            out.append(frame)
        return series_id

    def send(self, data: bytes, deadline: float) -> None:
        self._timeout(deadline)
        self._sock.sendall(data)

    def read(self, deadline: float):
        """Blocks for the next aggregator frame until ``deadline`` (``socket.timeout`` after)."""
        while not self._pending_frames:
            self._timeout(deadline)
            data = self._sock.recv(65536)
            if not data:
                raise ConnectionError("the aggregator closed the connection")
            self._pending_frames = self._decoder.feed(data)
        return self._pending_frames.pop(0)

    def closed_by_peer(self) -> bool:
        """True when the aggregator has closed this connection, e.g. after ``--idle-timeout``.

        Looks without waiting and without consuming anything: a frame waiting to be read is not a
        close.
        """
        timeout = self._sock.gettimeout()
        self._sock.settimeout(0.0)  # with a timeout set, Python would wait for data before recv
        try:
            return self._sock.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self._sock.settimeout(timeout)

    def close(self) -> None:
        self._sock.close()

    def _timeout(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("timed out waiting for the aggregator")
        self._sock.settimeout(remaining)
