#!/usr/bin/python3
"""pidless under unchanged prometheus_client code (``install_prometheus_client()``) beside
prometheus_client's own modes, in one run.

    mvn -B -q -o package -DskipTests -pl aggregator -am     # the aggregator jar, once
    /usr/bin/python3 bench/python/bench_dropin.py          # from the repository root
    /usr/bin/python3 bench/python/bench_dropin.py 10 100   # fewer dead workers, for a quick look

1. ``inc()`` and friends, ns/op (best of 9, each side in its own fresh interpreter, 3 rounds):
   prometheus_client in-process, multiprocess mode (PROMETHEUS_MULTIPROC_DIR), and the drop-in
   (the same prometheus_client code after ``pidless.install_prometheus_client()``; flusher parked).
2. Workers that came and went: one host process per side defines a request counter (5 paths),
   a latency histogram and a ``livesum`` in-progress gauge, then forks workers one after the
   other; each serves 10 requests and ends through a normal interpreter exit (``sys.exit``: atexit
   runs, as in a gunicorn worker). Multiprocess mode: the host calls ``mark_process_dead`` for each,
   as its docs ask; its scrape is ``MultiProcessCollector`` + ``generate_latest`` over the directory.
   pidless: each worker's exit flush goes to a real aggregator (``client-py/tests/aggregator.py``);
   the scrape is an HTTP GET of its /metrics. After 10, 100, 1,000 and 10,000 dead workers: files,
   bytes on disk (apparent, and allocated), series scraped, scrape time (best of 5) and the request total, checked.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import bench_inc  # noqa: E402  (per_op, the prometheus_client operations, the version)

CHECKPOINTS = (10, 100, 1000, 10000)
PATHS = 5
REQUESTS_PER_WORKER = 10


def inc_child(kind: str) -> None:
    if kind == "mp":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp()
    elif kind == "dropin":
        sys.path.insert(0, os.path.join(REPO, "client-py"))
        import logging
        import pidless
        logging.getLogger("pidless").setLevel(logging.CRITICAL)
        pidless.configure(socket=os.path.join(tempfile.mkdtemp(), "none.sock"),
                          flush_interval=3600, exit_timeout=0.1)
        assert pidless.install_prometheus_client()
    bench_inc.REPEAT = 9   # shared, loaded machines: more samples for the minimum
    print(json.dumps(bench_inc.bench_prometheus()))


def run_child(*args: str, env=None) -> list:
    out = subprocess.run([sys.executable, __file__] + list(args), check=True, env=env,
                         stdout=subprocess.PIPE, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def churn_child(kind: str, how: str, checkpoints: list) -> None:
    """The host: workers one after the other (``how``: ``fork``, or ``simulated`` in-process),
    measured at each checkpoint."""
    import prometheus_client as pc
    if kind == "pidless":
        sys.path.insert(0, os.path.join(REPO, "client-py"))
        import pidless
        assert pidless.install_prometheus_client()
    elif how == "simulated":
        # Each worker is a new process identifier: prometheus_client itself then closes the
        # previous worker's files and creates the next one's, as in a forked child.
        from prometheus_client import values
        fake_pid = [10 ** 7]
        values.ValueClass = values.MultiProcessValue(process_identifier=lambda: fake_pid[0])
    requests = pc.Counter("app_requests", "Requests", ["path"])
    latency = pc.Histogram("app_latency_seconds", "Latency")
    inprogress = pc.Gauge("app_inprogress", "In progress", multiprocess_mode="livesum")

    def work() -> None:
        for i in range(REQUESTS_PER_WORKER):
            with inprogress.track_inprogress():
                requests.labels("/p%d" % (i % PATHS)).inc()
                latency.observe(0.01 * i)

    done, previous = 0, 0
    for target in checkpoints:
        started = time.perf_counter()
        while done < target:
            if how == "fork":
                pid = os.fork()
                if pid == 0:
                    work()
                    sys.exit(0)   # a normal exit: atexit runs (pidless' exit flush)
                _, status = os.waitpid(pid, 0)
                assert status == 0, status
            elif kind == "pidless":
                # A new session, what a new process has: the previous one's connection closes.
                pidless.runtime.RUNTIME.delivery.reset_after_fork()
                work()
                assert pidless.flush(timeout=30)
            else:
                fake_pid[0] += 1
                pid = fake_pid[0]
                work()
            if kind == "mp":
                from prometheus_client import multiprocess
                multiprocess.mark_process_dead(pid)
            done += 1
        if kind == "pidless" and how == "simulated":
            pidless.runtime.RUNTIME.delivery.reset_after_fork()   # the last worker ends too
        per_worker = 1000 * (time.perf_counter() - started) / (target - previous)
        previous = target
        print(json.dumps(dict(measure(kind), workers=done, ms_per_worker=per_worker)), flush=True)


def measure(kind: str) -> dict:
    scrape = scrape_multiprocess if kind == "mp" else scrape_aggregator
    times, text = [], ""
    for _ in range(5):
        started = time.perf_counter()
        text = scrape()
        times.append(time.perf_counter() - started)
        if times[-1] > 2:
            break   # one slow scrape says enough
    total = sum(float(line.split()[-1]) for line in text.splitlines()
                if line.startswith("app_requests_total{"))
    files, apparent, allocated = disk(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    return {"scrape_ms": 1000 * min(times), "requests_total": total, "files": files,
            "bytes": apparent, "allocated_bytes": allocated,
            "series": sum(1 for line in text.splitlines() if line.startswith("app_"))}


def scrape_multiprocess() -> str:
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry).decode()


def scrape_aggregator() -> str:
    with urllib.request.urlopen(os.environ["PIDLESS_TEST_METRICS_URL"], timeout=60) as response:
        return response.read().decode()


def disk(path) -> tuple:
    if not path:
        return 0, 0, 0
    stats = [os.stat(os.path.join(path, name)) for name in os.listdir(path)]
    return len(stats), sum(s.st_size for s in stats), sum(s.st_blocks * 512 for s in stats)


def churn(how: str, checkpoints: list) -> dict:
    sys.path.insert(0, os.path.join(REPO, "client-py", "tests"))
    from aggregator import Aggregator
    arg = ",".join(map(str, checkpoints))
    results = {}
    mp_dir = tempfile.mkdtemp(prefix="plbench-mp")
    try:
        env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=mp_dir)
        results["mp"] = run_child("--churn", "mp", how, arg, env=env)
    finally:
        shutil.rmtree(mp_dir, ignore_errors=True)
    agg = Aggregator().start()
    try:
        env = dict(os.environ, PIDLESS_SOCKET=agg.socket, PIDLESS_FLUSH_INTERVAL="3600",
                   PIDLESS_EXIT_TIMEOUT="10", PIDLESS_TEST_METRICS_URL=agg.url)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        results["pidless"] = run_child("--churn", "pidless", how, arg, env=env)
    finally:
        agg.close()
    return results


def main(how: str, checkpoints: list) -> None:
    import prometheus_client
    version = getattr(prometheus_client, "__version__", None) or bench_inc._debian_version()
    runs = {"inproc": [], "mp": [], "dropin": []}
    for _ in range(3):
        for kind in runs:
            runs[kind] += run_child("--inc", kind)
    best = {k: {op: min(r[op] for r in rs) for op in rs[0]} for k, rs in runs.items()}
    print("python %s on %s, %d cpus; prometheus_client %s"
          % (platform.python_version(), platform.platform(), os.cpu_count(), version))
    print()
    print("| operation | in-process | multiprocess | drop-in | drop-in / in-process "
          "| drop-in / multiprocess |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for op, ns in best["dropin"].items():
        inproc, mp = best["inproc"][op], best["mp"][op]
        print("| %s | %.0f ns | %.0f ns | %.0f ns | %.2f | %.2f |"
              % (op, inproc, mp, ns, ns / inproc, ns / mp))
    print()
    results = churn(how, checkpoints)
    print("%s workers:" % how)
    print("| dead workers | multiprocess: files | bytes (allocated) | samples | scrape "
          "| drop-in + aggregator: files | samples | scrape | request total (both) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for mp, pl in zip(results["mp"], results["pidless"]):
        expected = mp["workers"] * REQUESTS_PER_WORKER
        check = "exact" if mp["requests_total"] == pl["requests_total"] == expected else (
            "WRONG: %s / %s, expected %d" % (mp["requests_total"], pl["requests_total"], expected))
        print("| %d | %d | %s (%s) | %d | %.1f ms | %d | %d | %.1f ms | %d, %s |"
              % (mp["workers"], mp["files"], format(mp["bytes"], ","),
                 format(mp["allocated_bytes"], ","), mp["series"], mp["scrape_ms"], pl["files"],
                 pl["series"], pl["scrape_ms"], expected, check))
    print()
    print("per worker (its work, its end, the drop-in's ACKed flush): multiprocess %.2f ms, "
          "drop-in %.2f ms" % (results["mp"][-1]["ms_per_worker"],
                               results["pidless"][-1]["ms_per_worker"]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inc"]:
        inc_child(sys.argv[2])
    elif sys.argv[1:2] == ["--churn"]:
        churn_child(sys.argv[2], sys.argv[3], [int(n) for n in sys.argv[4].split(",")])
    elif sys.argv[1:2] == ["--fork"]:
        main("fork", [int(n) for n in sys.argv[2:]] or [10, 100])
    else:
        main("simulated", [int(n) for n in sys.argv[1:]] or list(CHECKPOINTS))
