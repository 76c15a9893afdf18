"""The Python side of one Spark task: RDD.pipe starts one short-lived python3 process per partition,
as PySpark starts its workers. It echoes its records, counts them with pidless, and also pushes its own
count to a Pushgateway under the job's one grouping key, the way the PromCon 2017 Spark talk did.

How it ends depends on the partition (the first field of each record), so every client path runs:
  p % 3 == 0: returns normally (pidless flushes at exit, atexit)
  p % 3 == 1: a pidless.spark.instrument partition function, then os._exit(0) (pyspark.daemon's way)
  p % 3 == 2: `with pidless.spark.flush_on_task_end():`, then os._exit(0)

Mode "fault": counts the first half, flushes, marks itself ready in $TC_FAULT_DIR and waits for
$TC_FAULT_DIR/go (run.sh restarts the aggregator meanwhile), then counts the rest: the process keeps
its connection across the restart and must deliver the second half to the new aggregator.

Usage (by RDD.pipe): python3 pipe_worker.py normal|fault
"""
import os
import sys
import time
import urllib.request

import pidless

RECORDS = pidless.Counter("tc_py_records_total", "Records the Python workers read.")
BYTES = pidless.Counter("tc_py_bytes_total", "Bytes (without newlines) the Python workers read.")
GO_TIMEOUT_S = 120


def count(lines):
    for line in lines:
        RECORDS.inc()
        BYTES.inc(len(line))


def wait_for_restart(partition):
    fault_dir = os.environ["TC_FAULT_DIR"]
    if not pidless.flush(timeout=10.0):
        print("pipe_worker: partition %d: first half not acknowledged before the restart" % partition,
              file=sys.stderr)
    open(os.path.join(fault_dir, "ready-%d" % partition), "w").close()
    deadline = time.monotonic() + GO_TIMEOUT_S
    while not os.path.exists(os.path.join(fault_dir, "go")) and time.monotonic() < deadline:
        time.sleep(0.05)


def count_all(lines, fault, partition):
    half = len(lines) // 2 if fault else len(lines)
    count(lines[:half])
    if fault:
        wait_for_restart(partition)
    count(lines[half:])


@pidless.spark.instrument
def instrumented(lines, fault, partition):
    count_all(lines, fault, partition)



def push_to_gateway(n):
    """One grouping key for the whole job: each push replaces the previous worker's value."""
    body = ("# TYPE tc_py_records_total counter\ntc_py_records_total %d\n" % n).encode()
    url = os.environ["TC_PUSHGATEWAY"] + "/metrics/job/pidless_test_cluster"
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=10).read()


def main():
    fault = sys.argv[1] == "fault"
    lines = sys.stdin.read().splitlines()
    partition = int(lines[0].split(":", 1)[0]) if lines else 0
    mode = partition % 3
    if mode == 0:
        count_all(lines, fault, partition)
    elif mode == 1:
        list(instrumented(lines, fault, partition))
    else:
        with pidless.spark.flush_on_task_end():
            count_all(lines, fault, partition)
    sys.stdout.write("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    push_to_gateway(len(lines))
    if mode != 0:
        os._exit(0)


if __name__ == "__main__":
    main()
