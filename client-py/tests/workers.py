"""Driver for test_workers: starts 200 workers through os.fork and multiprocessing fork, spawn
and forkserver, each ending by return, sys.exit, os._exit after ``instrument``, or SIGTERM.

Run as a script (a fresh interpreter, so that a forked child's ``sys.exit`` ends that child and
not a test runner). It talks to the test on stdin/stdout:

    -> READY   every worker but the SIGTERM ones has ended; those are alive and idle
    <- GO      the test has scraped; SIGTERM them
    -> DONE {json: exit status counts per group}
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time

import pidless
from waiting import await_value

TASKS = pidless.Counter("wk_tasks_total", "Tasks", ["kind", "ending"])
ROWS = pidless.Counter("wk_rows_total", "Rows", ["kind", "ending"])
LATENCY = pidless.Histogram("wk_latency_seconds", "Latency", ["kind"], buckets=(0.25, 1))
BUSY = pidless.Gauge("wk_busy", "Workers alive (livesum)", ["kind", "ending"])

ENDINGS = ("return", "sys_exit", "os_exit", "sigterm")
WORKERS = {"osfork": 22, "mpfork": 20, "spawn": 6, "forkserver": 2}   # x 4 endings = 200
ROWS_PER_TASK = 7
ROWS_AFTER_FLUSH = 5   # added after the last explicit flush: only the SIGTERM flush sends them
SPAWN_WAVE = 6
TIMEOUT = 120   # seconds; generous because the test machine may be shared and loaded


def expected(kind: str, ending: str) -> dict:
    n = WORKERS[kind]
    return {"tasks": n, "rows": n * (ROWS_PER_TASK + (ROWS_AFTER_FLUSH if ending == "sigterm" else 0)),
            "busy_alive": n if ending == "sigterm" else 0}


def _task(kind: str, ending: str) -> None:
    TASKS.labels(kind, ending).inc()
    rows = ROWS.labels(kind, ending)
    for _ in range(ROWS_PER_TASK):
        rows.inc()
    LATENCY.labels(kind).observe(0.5)
    BUSY.labels(kind, ending).set(1)


@pidless.spark.instrument
def _partition(kind: str, ending: str):
    _task(kind, ending)


def work(kind: str, ending: str, ready_dir: str) -> None:
    """The worker body; returns only for the "return" ending."""
    if ending == "os_exit":
        for _ in _partition(kind, ending):
            pass
        os._exit(0)
    _task(kind, ending)
    if ending == "sigterm":
        if not pidless.flush(timeout=TIMEOUT):
            os._exit(4)
        ROWS.labels(kind, ending).inc(ROWS_AFTER_FLUSH)
        open(os.path.join(ready_dir, str(os.getpid())), "w").close()
        driver, deadline = os.getppid(), time.monotonic() + 2 * TIMEOUT
        while os.getppid() == driver and time.monotonic() < deadline:
            time.sleep(0.1)
        os._exit(5)   # SIGTERM never came
    if ending == "sys_exit":
        sys.exit(0)


def _exit_code(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _wait_ready(ready_dir: str, count: int) -> None:
    await_value("%d SIGTERM workers ready" % count, lambda: len(os.listdir(ready_dir)),
                lambda ready: ready >= count, TIMEOUT)


def main() -> int:
    ready_dir = tempfile.mkdtemp(prefix="plready")
    statuses = {}   # "kind/ending" -> list of exit codes (negative: killed by that signal)
    pids = {}       # os.fork children: pid -> group
    procs = []      # (group, multiprocessing.Process)
    for ending in ENDINGS:
        for _ in range(WORKERS["osfork"]):
            pid = os.fork()
            if pid == 0:
                work("osfork", ending, ready_dir)
                return 0   # the "return" ending: the interpreter exits normally
            pids[pid] = "osfork/" + ending
    for kind, method in (("mpfork", "fork"), ("spawn", "spawn"), ("forkserver", "forkserver")):
        ctx = multiprocessing.get_context(method)
        wave = WORKERS[kind] if method == "fork" else SPAWN_WAVE
        for ending in ENDINGS:
            batch = [ctx.Process(target=work, args=(kind, ending, ready_dir))
                     for _ in range(WORKERS[kind])]
            for i in range(0, len(batch), wave):
                for p in batch[i:i + wave]:
                    p.start()
                if ending != "sigterm":
                    for p in batch[i:i + wave]:
                        p.join(TIMEOUT)
            procs.extend((kind + "/" + ending, p) for p in batch)
    sigterm_count = sum(WORKERS.values())
    for pid, group in list(pids.items()):
        if not group.endswith("sigterm"):
            _, status = os.waitpid(pid, 0)
            statuses.setdefault(group, []).append(_exit_code(status))
            del pids[pid]
    _wait_ready(ready_dir, sigterm_count)
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        return 1
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    for group, p in procs:
        if group.endswith("sigterm"):
            p.terminate()   # SIGTERM
    for pid, group in pids.items():
        _, status = os.waitpid(pid, 0)
        statuses.setdefault(group, []).append(_exit_code(status))
    for group, p in procs:
        p.join(60)
        statuses.setdefault(group, []).append(p.exitcode)
    shutil.rmtree(ready_dir)
    counts = {g: {str(c): codes.count(c) for c in set(codes)} for g, codes in statuses.items()}
    print("DONE " + json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    if code:   # a forked "return" worker gets 0 and ends the way a script ends: falling off
        sys.exit(code)
