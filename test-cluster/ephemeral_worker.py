"""The "ephemeral node" phase's workload: forked short-lived workers, as on an autoscaled node, write
to a pidless aggregator that only remote-writes; each flushes before it exits. Writes what they
wrote, in total, to the JSON file named by argv[1], for check.py's "ephemeral" section.

  PIDLESS_SOCKET=/path/p.sock python3 ephemeral_worker.py EXPECTED_JSON WORKERS
"""
import json
import os
import sys

import pidless

RECORDS = pidless.Counter("tc_eph_records_total", "Records read on the ephemeral node", ["stage"])
LATENCY = pidless.Histogram("tc_eph_latency_seconds", "Per-record latency on the ephemeral node",
                            buckets=[0.1, 1.0])


def work(i):
    """Worker i: 100 * (i + 1) parse records, i + 1 load records, i + 1 latencies of 0.5 s."""
    RECORDS.labels(stage="parse").inc(100 * (i + 1))
    RECORDS.labels(stage="load").inc(i + 1)
    for _ in range(i + 1):
        LATENCY.observe(0.5)
    if not pidless.flush(timeout=5.0):
        sys.exit("worker %d could not flush to %s" % (i, os.environ.get("PIDLESS_SOCKET")))


def main(expected_path, workers):
    for i in range(workers):
        pid = os.fork()
        if pid == 0:
            work(i)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            sys.exit("worker %d failed (status %d)" % (i, status))
    n = workers * (workers + 1) // 2
    with open(expected_path, "w") as f:
        json.dump({"parse": 100 * n, "load": n, "latency_count": n, "latency_sum": 0.5 * n}, f)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
