"""Driver for test_pools: a ``multiprocessing`` pool used as a context manager, the way users
write it. ``Pool.__exit__`` calls ``terminate()``, which sends SIGTERM to workers that may still be
in their exit flush (``maxtasksperchild=1``) or idle with deltas pending (``None``).

    python3 pools.py METHOD MAXTASKS   # fork|spawn|forkserver, 1|none
    -> DONE {"sent": rows the tasks added, "exit_seconds": how long the pool's exit took}

Run as a script: a fresh interpreter per pool shape, as users run them.
"""
from __future__ import annotations

import json
import multiprocessing
import sys
import time

import pidless

ROWS = pidless.Counter("pool_rows_total", "Rows added by pool tasks", ["method", "maxtasks", "part"])
TASKS = 24
PARTS = 200   # series per task: an exit flush long enough for the pool's SIGTERM to land in it


def task(args) -> int:
    method, maxtasks, rows = args
    for part in range(PARTS):
        ROWS.labels(method, maxtasks, str(part)).inc(rows)
    return rows * PARTS


def main(method: str, maxtasks: str) -> None:
    ctx = multiprocessing.get_context(method)
    work = [(method, maxtasks, 10 + i) for i in range(TASKS)]
    with ctx.Pool(2, maxtasksperchild=None if maxtasks == "none" else int(maxtasks)) as pool:
        sent = sum(pool.map(task, work, chunksize=1))
        started = time.monotonic()
    print("DONE " + json.dumps({"sent": sent, "exit_seconds": time.monotonic() - started}),
          flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
