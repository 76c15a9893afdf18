#!/usr/bin/python3
"""Hot-path cost of pidless against prometheus_client, side by side in one run.

    /usr/bin/python3 bench/python/bench_inc.py            # from the repository root

Measures ns/op (best of 5 repeats) of prometheus_client (Debian's python3-prometheus-client)
in-process and in multiprocess mode (a child process with PROMETHEUS_MULTIPROC_DIR set, as in
../shared/anchors/pyclient_inc.py) and of pidless, and prints a markdown table with pidless's
ratios against both. pidless's flusher is parked (interval 1 h) so that only the hot path is
measured; it costs microseconds once a second in real use.

Targets (issue 3): cached child inc() <= prometheus_client in-process, <= 0.5 x multiprocess mode.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import timeit

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N = 1_000_000
N_LABELS = 200_000
REPEAT = 5


def per_op(func, number: int) -> float:
    return min(timeit.repeat(func, number=number, repeat=REPEAT)) / number * 1e9


def timed_ops(c, child, h, g) -> dict:
    """The same operations, timed, on either library's counter, child, histogram and gauge child."""
    return {
        "child.inc()": per_op(child.inc, N),
        "child.inc(2) (pidless: the locked path)": per_op(lambda: child.inc(2), N_LABELS),
        "labels(...).inc()": per_op(lambda: c.labels("load").inc(), N_LABELS),
        "histogram child.observe(0.3)": per_op(lambda: h.observe(0.3), N_LABELS),
        "gauge child.set(3)": per_op(lambda: g.set(3), N_LABELS),
    }


def bench_prometheus() -> dict:
    import prometheus_client as pc
    c = pc.Counter("bench_events_total", "x", ["stage"])
    child = c.labels("load")
    h = pc.Histogram("bench_seconds", "x", ["stage"]).labels("load")
    g = pc.Gauge("bench_gauge", "x", ["stage"], multiprocess_mode="livesum").labels("load")
    return timed_ops(c, child, h, g)


def bench_pidless() -> dict:
    sys.path.insert(0, os.path.join(REPO, "client-py"))
    import logging
    import pidless
    logging.getLogger("pidless").setLevel(logging.CRITICAL)
    pidless.configure(socket=os.path.join(tempfile.mkdtemp(), "none.sock"),
                      flush_interval=3600, exit_timeout=0.1)
    c = pidless.Counter("bench_events_total", "x", ["stage"])
    child = c.labels("load")
    h = pidless.Histogram("bench_seconds", "x", ["stage"]).labels("load")
    g = pidless.Gauge("bench_gauge", "x", ["stage"]).labels("load")
    return timed_ops(c, child, h, g)


def child_main(kind: str) -> None:
    if kind == "mp":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp()
        print(json.dumps(bench_prometheus()))
    elif kind == "inproc":
        print(json.dumps(bench_prometheus()))
    else:
        print(json.dumps(bench_pidless()))


def run(kind: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def main() -> None:
    import prometheus_client
    version = getattr(prometheus_client, "__version__", None) or _debian_version()
    # Each side in its own fresh interpreter, interleaved twice; the best figure of each is kept.
    results = {"inproc": [], "mp": [], "pidless": []}
    for _ in range(2):
        for kind in results:
            results[kind].append(run(kind))
    best = {k: {op: min(r[op] for r in runs) for op in runs[0]} for k, runs in results.items()}
    print("python %s on %s, %d cpus; prometheus_client %s; best of %d x 2 runs"
          % (platform.python_version(), platform.platform(), os.cpu_count(), version, REPEAT))
    print()
    print("| operation | prometheus_client in-process | prometheus_client multiprocess | pidless "
          "| pidless / in-process | pidless / multiprocess |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for op, ns in best["pidless"].items():
        inproc, mp = best["inproc"].get(op), best["mp"].get(op)
        if inproc is None:
            print("| %s | | | %.0f ns | | |" % (op, ns))
            continue
        print("| %s | %.0f ns | %.0f ns | %.0f ns | %.2f | %.2f |"
              % (op, inproc, mp, ns, ns / inproc, ns / mp))


def _debian_version() -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-prometheus-client"],
                              stdout=subprocess.PIPE, text=True).stdout or "?"
    except OSError:
        return "?"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(sys.argv[2])
    else:
        main()
