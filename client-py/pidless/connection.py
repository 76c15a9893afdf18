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

import os
import socket
import time

from . import wire

CLIENT_NAME = "pidless-py/0.1.0"


class Connection:
    def __init__(self, path: str, session: bytes, deadline: float) -> None:
        self.ids = {}        # Value -> series id on this connection
        self.by_id = {}      # series id -> Value
        self.rejected = set()  # Values whose DEFINE the aggregator rejected on this connection
        self._decoder = wire.FrameDecoder()
        self._pending_frames = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._timeout(deadline)
            self._sock.connect(path)
            self.send(wire.hello(session, "%s (pid %d)" % (CLIENT_NAME, os.getpid())), deadline)
            first = self.read(deadline)
        except BaseException:
            self._sock.close()
            raise
        if not isinstance(first, wire.HelloOk):
            self._sock.close()
            raise wire.ProtocolError("aggregator answered HELLO with %r" % (first,))
        self.hello_ok = first

    def id_for(self, value, out: list) -> int:
        """The value's id here, appending its DEFINE frame to ``out`` the first time."""
        series_id = self.ids.get(value)
        if series_id is None:
            series_id = len(self.ids) + 1
            self.ids[value] = series_id
            self.by_id[series_id] = value
            out.append(value.series.define_frame(series_id))
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
