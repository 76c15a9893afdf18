"""Driver for test_dropin: plain prometheus_client code in a fresh interpreter (one with
prometheus_client, see prometheus_python), switched to pidless by one call.

    python3 dropin_app.py inprocess        # every metric type, defined before and after the call
    python3 dropin_app.py mismatch         # prometheus_client internals pidless does not know
    python3 dropin_app.py sigterm          # killed by SIGTERM with deltas pending
    python3 dropin_app.py pool METHOD MAXTASKS    # with PIDLESS_PROMETHEUS_CLIENT=1, sitecustomize
    -> DONE {...}: what this process counted and what its own /metrics showed
"""
from __future__ import annotations

import json
import multiprocessing
import os
import socket
import sys
import urllib.request

import prometheus_client as pc

from aggregator import parse_text_format

# Defined, and used, before pidless is installed: adopted with the counts they hold.
REQUESTS = pc.Counter("drop_requests_total", "Requests", ["path"])
LATENCY = pc.Histogram("drop_latency_seconds", "Latency", buckets=(0.1, 1))
INFLIGHT = pc.Gauge("drop_inflight", "In flight", multiprocess_mode="livesum")
POOL_ROWS = pc.Counter("drop_pool_rows_total", "Rows added by pool tasks", ["method", "maxtasks"])
TASKS = 24


def own_metrics() -> dict:
    """This process's own prometheus_client /metrics (start_http_server), parsed."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    pc.start_http_server(port, addr="127.0.0.1")
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as response:
        samples = parse_text_format(response.read().decode("utf-8"))
    return {name + json.dumps(dict(sorted(labels))): value
            for (name, labels), value in samples.items() if name.startswith("drop_")}


def inprocess() -> dict:
    REQUESTS.labels("/a").inc(3)
    LATENCY.observe(0.05)
    INFLIGHT.set(5)
    import pidless
    assert pidless.install_prometheus_client() is True
    assert pidless.install_prometheus_client() is True   # a second call changes nothing
    batches = pc.Counter("drop_batches", "Batches")          # prometheus_client adds _total
    payload = pc.Summary("drop_payload_bytes", "Payload", ["kind"])
    peak = pc.Gauge("drop_peak_bytes", "Peak", multiprocess_mode="max")
    state = pc.Gauge("drop_state", "Default mode 'all'")
    pc.Info("drop_build", "Build").info({"version": "1"})
    REQUESTS.labels("/a").inc(2)
    REQUESTS.labels(path="/b").inc()
    LATENCY.observe(0.5)
    LATENCY.observe(5)
    INFLIGHT.inc(2)
    batches.inc(1.5)
    batches.inc()
    payload.labels("json").observe(100)
    payload.labels("json").observe(200)
    peak.set(10)
    peak.set(3)
    state.set(4)
    concurrent_increments(pidless)
    assert pidless.flush(timeout=60)
    # livesum gauges count while their process lives: read the aggregator now.
    with urllib.request.urlopen(os.environ["PIDLESS_TEST_METRICS_URL"], timeout=10) as response:
        live = parse_text_format(response.read().decode("utf-8"))
    return {"live_inflight": live[("drop_inflight", frozenset())],
            "live_state": live[("drop_state", frozenset())], **own_metrics()}


THREADS, PER_THREAD = 4, 20000


def concurrent_increments(pidless) -> None:
    """inc() (lock-free) and inc(2) (locked) from threads while flushes read the same cell."""
    from races import race
    hits = pc.Counter("drop_hits", "Hits from threads")

    def work():
        for i in range(PER_THREAD):
            hits.inc(2 if i % 2 else 1)
    race(work, THREADS, lambda: pidless.flush(timeout=60))


def mismatch() -> dict:
    """A prometheus_client whose Histogram builds its bucket values before its sum."""
    original = pc.metrics.Histogram._metric_init

    def buckets_first(self):
        original(self)
        self._sum = pc.values.ValueClass(self._type, self._name, self._name + "_sum",
                                         self._labelnames, self._labelvalues, self._documentation)
    pc.metrics.Histogram._metric_init = buckets_first
    before = pc.values.ValueClass
    import pidless
    installed = pidless.install_prometheus_client()
    REQUESTS.labels("/a").inc(7)
    return {"installed": installed, "restored": pc.values.ValueClass is before,
            "flushed": pidless.flush(timeout=5), **own_metrics()}


def sigterm() -> dict:
    """Ends by SIGTERM with deltas pending (flush interval 1 h): pidless' handler flushes first."""
    import signal
    import time
    import pidless
    pidless.install_prometheus_client()
    REQUESTS.labels("/term").inc(11)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(60)   # never reached: the signal ends the process, by SIGTERM
    return {}


def task(args) -> int:
    method, maxtasks, rows = args
    POOL_ROWS.labels(method, maxtasks).inc(rows)
    return rows


def pool(method: str, maxtasks: str) -> dict:
    ctx = multiprocessing.get_context(method)
    work = [(method, maxtasks, 10 + i) for i in range(TASKS)]
    with ctx.Pool(2, maxtasksperchild=None if maxtasks == "none" else int(maxtasks)) as p:
        sent = sum(p.map(task, work, chunksize=1))
    return {"sent": sent, "tasks": TASKS}


if __name__ == "__main__":
    if sys.argv[1] == "pool":
        # No pidless here: PIDLESS_PROMETHEUS_CLIENT=1 and the sitecustomize recipe install it in
        # this process and in every spawn/forkserver child.
        result = pool(*sys.argv[2:])
    else:
        result = {"inprocess": inprocess, "mismatch": mismatch, "sigterm": sigterm}[sys.argv[1]]()
    print("DONE " + json.dumps(result), flush=True)
