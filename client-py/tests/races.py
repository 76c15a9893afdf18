"""Threads racing a flush: the shape of every "no delta lost or doubled under threads" test.

    race(lambda: counter.inc(), 4, lambda: taken.append(value.take()))
"""
from __future__ import annotations

import threading


def race(writer, writers: int, taker) -> None:
    """Runs ``writer`` in ``writers`` threads while one more thread calls ``taker`` again and
    again; returns once every writer is done and the taker has stopped."""
    stop = threading.Event()

    def take_until_stopped():
        while not stop.is_set():
            taker()

    flusher = threading.Thread(target=take_until_stopped)
    flusher.start()
    threads = [threading.Thread(target=writer) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    flusher.join()
