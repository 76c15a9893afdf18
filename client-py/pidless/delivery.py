"""Exactly-once delivery of pending deltas to the aggregator (docs/PROTOCOL.md, "A session").

A flush takes every series' pending delta into numbered batches and sends them; a batch stays
*un-acknowledged* until the aggregator answers it. New batches are taken only when none is
waiting, so while the aggregator is unreachable deltas keep merging inside each series and memory
stays bounded by the number of series.
After a reconnect (same session id) the client defines its series again, drops the batches the
aggregator reports as settled (``last_seq``), re-sends the others with their original sequence
number, and re-sends the current value of every live gauge.

A series the aggregator rejects (a 2xx ERROR: ``SERIES_LIMIT``, ``TYPE_CLASH``...) is rejected on
that connection only: its deltas are left out of the batches sent there, and so dropped. After a
reconnect it is defined again with its next delta (a batch that could not be delivered keeps its
deltas for the next connection), so it recovers once the cause is fixed (``--max-series`` raised,
old series expired) without restarting the process. The rejection is logged once, and again only
if the series is rejected after a connection accepted it.

One flush runs at a time per process (``_lock``); the flusher thread and :func:`pidless.flush`
share this object.

>>> from pidless.config import Config
>>> d = Delivery(lambda: [], Config())
>>> d.flush(timeout=0.1)   # nothing pending: nothing to send, no connection needed
True
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time

from . import protocol, wire
from .connection import Connection, HelloRefused, UntrustedAggregator

log = logging.getLogger("pidless")

_MIN_BACKOFF = 0.1
_MAX_BACKOFF = 5.0
_RETRY_PAUSE = 0.05
# Worst-case bytes of an id varint (ids stay below 2**21) added to each delta body.
_ID_BYTES = 3


class Batch:
    __slots__ = ("seq", "entries")

    def __init__(self, seq: int, entries: list) -> None:
        self.seq = seq
        self.entries = entries  # (Value, encoded body) pairs; ids are added per connection


class Delivery:
    def __init__(self, values, config) -> None:
        self._values = values    # callable returning a snapshot list of every Value
        self._config = config
        self._start_session()

    def _start_session(self) -> None:
        self._lock = threading.Lock()
        self._session = os.urandom(protocol.SESSION_ID_BYTES)
        self._next_seq = 1
        self._sent_seq = 0       # the highest seq ever written to a connection
        self._unacked = []
        self._conn = None
        self._instance = None
        self._max_frame = protocol.DEFAULT_MAX_FRAME_BYTES
        self._backoff = _MIN_BACKOFF
        self._next_attempt = 0.0
        self._outage = False
        # Values whose rejection was logged and that no connection has accepted since.
        self._reported = set()

    def reset_after_fork(self) -> None:
        """In a forked child: new session, no batches, and not the parent's socket."""
        if self._conn is not None:
            self._conn.close()
        self._start_session()

    @property
    def unreachable(self) -> bool:
        """True from a failed delivery until the next successful connection."""
        return self._outage

    def disconnect(self) -> None:
        """Drops the connection (the socket path changed); un-acknowledged batches are kept."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._next_attempt = 0.0

    def flush(self, timeout: float, force: bool = True, retry: bool = False,
              final: bool = False) -> bool:
        """Sends everything pending and waits for the ACK; True when all was acknowledged.

        ``force`` ignores the reconnect backoff, ``retry`` keeps trying until ``timeout``,
        ``final`` logs how many deltas are dropped when delivery fails (the process is ending).
        Never raises because of the aggregator.
        """
        deadline = time.monotonic() + timeout
        if not self._lock.acquire(timeout=timeout):
            if final:
                log.warning("pidless: dropped %d deltas: another flush held the connection for "
                            "the whole PIDLESS_EXIT_TIMEOUT (%.1f s)", self._count_unacked(), timeout)
            return False
        try:
            while True:
                if self._cycle(deadline, force):
                    return True
                remaining = deadline - time.monotonic()
                if not retry or remaining <= 0:
                    break
                time.sleep(min(_RETRY_PAUSE, remaining))
            if final:
                self._log_dropped(timeout)
        except Exception:  # a bug here must not break the user's program: report it loudly
            log.exception("pidless: internal error while flushing to %s; please report it",
                          self._config.socket)
        finally:
            self._lock.release()
        return False

    def _cycle(self, deadline: float, force: bool) -> bool:
        try:
            if self._conn is not None and self._conn.closed_by_peer():
                # The documented idle close (docs/PROTOCOL.md, "Idle close"): nothing was waiting
                # for an answer on it, so this is no outage; reconnect now, quietly.
                log.debug("pidless: the aggregator closed the idle connection; reconnecting")
                self._conn.close()
                self._conn = None
            if self._conn is None:
                if not self._unacked:
                    # Bounded: taken only while nothing else waits, then merged no further.
                    self._unacked = self._take_batches()
                    if not self._unacked:
                        return True
                if not force and time.monotonic() < self._next_attempt:
                    return False
                self._connect(deadline)
            if self._unacked:
                self._exchange(deadline)
            self._unacked = self._take_batches()
            if self._unacked:
                self._exchange(deadline)
            return True
        except HelloRefused as e:
            name = protocol.ERROR_NAMES.get(e.error.code, "code %d" % e.error.code)
            self._connection_failed(ConnectionError("refused: %s: %s" % (name, e.error.message)))
            return False
        except (OSError, wire.ProtocolError) as e:
            self._connection_failed(e)
            return False

    def _connect(self, deadline: float) -> None:
        conn = Connection(self._config.socket, self._session, deadline, self._config.aggregator_uid)
        hello = conn.hello_ok
        if self._outage:
            log.info("pidless: reconnected to the aggregator at %s", self._config.socket)
        elif self._instance is not None and hello.instance != self._instance:
            log.info("pidless: the aggregator at %s restarted; re-sending", self._config.socket)
        self._conn, self._instance, self._max_frame = conn, hello.instance, hello.max_frame_bytes
        self._outage, self._backoff = False, _MIN_BACKOFF
        # Batches at or below last_seq were settled before the connection broke: never re-send.
        self._unacked = [b for b in self._unacked if b.seq > hello.last_seq]
        # Batches never sent were cut before this HELLO_OK announced the frame limit: cut them
        # again to fit it. Their numbers were never seen by an aggregator, so they may change.
        fresh = [b for b in self._unacked if b.seq > self._sent_seq]
        if fresh:
            self._next_seq = fresh[0].seq
            self._unacked = self._unacked[:-len(fresh)] + self._cut(
                [entry for b in fresh for entry in b.entries])
        for value in self._values():
            value.resend_current()

    def _take_batches(self) -> list:
        entries = []
        for value in self._values():
            delta = value.take()
            if delta is not None:
                entries.append((value, value.encode(delta)))
        return self._cut(entries)

    def _cut(self, entries: list) -> list:
        """Numbered batches of ``entries``, each well within the aggregator's frame limit."""
        batches, batch, size = [], [], 0
        limit = self._max_frame // 2
        for value, body in entries:
            if batch and size + len(body) + _ID_BYTES > limit:
                batches.append(self._new_batch(batch))
                batch, size = [], 0
            batch.append((value, body))
            size += len(body) + _ID_BYTES
        if batch:
            batches.append(self._new_batch(batch))
        return batches

    def _new_batch(self, entries: list) -> Batch:
        batch = Batch(self._next_seq, entries)
        self._next_seq += 1
        return batch

    def _exchange(self, deadline: float) -> None:
        """Sends the un-acknowledged batches (after any DEFINE they need) and reads every answer."""
        conn, frames, waiting = self._conn, [], {}
        for batch in self._unacked:
            deltas = []
            for value, body in batch.entries:
                series_id = None if value in conn.rejected else conn.id_for(value, frames)
                if series_id is not None:
                    deltas.append(wire.varint(series_id) + body)
            if deltas:
                frames.append(wire.batch(batch.seq, deltas))
                waiting[batch.seq] = batch
            self._sent_seq = max(self._sent_seq, batch.seq)
        conn.send(b"".join(frames), deadline)
        while waiting:
            answer = conn.read(deadline)
            if isinstance(answer, wire.Ack):
                self._on_ack(waiting.pop(answer.seq, None))
            elif isinstance(answer, wire.Error):
                self._on_error(answer, waiting)
            else:
                raise wire.ProtocolError("aggregator sent %r in the middle of a session" % (answer,))
        self._unacked = []

    def _on_ack(self, batch) -> None:
        """A series with a delta in an acknowledged batch, and not rejected, was accepted."""
        if self._reported and batch is not None:
            rejected = self._conn.rejected
            self._reported.difference_update(
                value for value, _ in batch.entries if value not in rejected)

    def _on_error(self, error, waiting: dict) -> None:
        name = protocol.ERROR_NAMES.get(error.code, "code %d" % error.code)
        if 200 <= error.code < 300:
            value = self._conn.by_id.get(error.ref)
            if value is not None:
                self._conn.rejected.add(value)
                if value not in self._reported:
                    self._reported.add(value)
                    log.warning("pidless: the aggregator rejected series %s (%s: %s); its deltas "
                                "are dropped until the next reconnect, which defines it again",
                                value.series, name, error.message)
        elif 300 <= error.code < 400:
            waiting.pop(error.ref, None)
            log.warning("pidless: the aggregator rejected batch %d (%s: %s); its deltas are "
                        "dropped", error.ref, name, error.message)
        elif error.code in protocol.RETRYABLE:
            raise ConnectionError("aggregator closed the connection: %s: %s" % (name, error.message))
        else:
            dropped = self._count_unacked()
            self._unacked = []
            log.error("pidless: the aggregator closed the connection with %s (%s); dropping %d "
                      "unacknowledged deltas. This is a bug in pidless-py: please report it with "
                      "this message", name, error.message, dropped)
            raise ConnectionError("aggregator closed the connection: %s" % name)

    def _connection_failed(self, error: BaseException) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if not self._outage and isinstance(error, UntrustedAggregator):
            self._outage = True
            log.warning("pidless: %s", error)
        elif not self._outage:
            self._outage = True
            log.warning("pidless: cannot deliver metrics to the aggregator at %s (%s); keeping "
                        "deltas in memory and retrying. Check that the pidless aggregator runs "
                        "and that PIDLESS_SOCKET names its socket", self._config.socket,
                        error if not isinstance(error, socket.timeout) else "timed out")
        self._next_attempt = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, _MAX_BACKOFF)

    def _count_unacked(self) -> int:
        return sum(len(b.entries) for b in list(self._unacked))

    def _log_dropped(self, timeout: float) -> None:
        # Keep what is still pending in batches, so a process that outlives this can still send it.
        self._unacked = self._unacked + self._take_batches()
        log.warning("pidless: dropped %d deltas: the aggregator at %s did not acknowledge them "
                    "within %.1f s (PIDLESS_EXIT_TIMEOUT)", self._count_unacked(),
                    self._config.socket, timeout)
