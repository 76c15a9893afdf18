"""The application run.sh submits to the standalone cluster with bin/spark-submit: a PySpark
driver whose Python tasks run in real pyspark.daemon workers on the executors, and which runs, in
the same application and through py4j, the JVM jobs of ClusterJob (PidlessAccumulator; the
executors carry PidlessPlugin). Three phases, small, large and fault, each a JVM job and a Python
job over the same records; it writes what Prometheus must show to a JSON file, computed by the
job itself rather than constants.

Every Python task counts its records and bytes with pidless and pushes its own count to a
Pushgateway under the job's one grouping key (the way the PromCon 2017 Spark talk did). How a task
delivers depends on its partition, so that every client path runs:
  p % 3 == 0: a plain function, no decorator (pidless' pyspark.daemon hooks flush at task end)
  p % 3 == 1: a ``pidless.spark.instrument`` partition function
  p % 3 == 2: ``with pidless.spark.flush_on_task_end():``
Fault phase: each task counts the first half, flushes, marks itself ready in $TC_FAULT_DIR and
waits for $TC_FAULT_DIR/go (run.sh restarts the aggregator meanwhile), then counts the rest: its
worker keeps its session across the restart and delivers the second half to the new aggregator.

    spark-submit ... pyspark_app.py OUT.json SMALL LARGE FAULT
"""
import json
import os
import sys
import time
import urllib.request

import pidless

RECORDS = pidless.Counter("tc_py_records_total", "Records the Python workers read.")
BYTES = pidless.Counter("tc_py_bytes_total", "Bytes the Python workers read.")
GO_TIMEOUT_S = 120


def records_of(p):
    """Partition p's records: 40 + p lines of varying length (as ClusterJob.recordsOf)."""
    return ["%d:%d:%s" % (p, j, "x" * ((p * 7 + j) % 17)) for j in range(40 + p)]


def count(lines):
    for line in lines:
        RECORDS.inc()
        BYTES.inc(len(line))


def wait_for_restart(partition):
    fault_dir = os.environ["TC_FAULT_DIR"]
    if not pidless.flush(timeout=10.0):
        print("pyspark_app: partition %d: first half not acknowledged before the restart" % partition,
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


def push_to_gateway(n):
    """One grouping key for the whole job: each push replaces the previous task's value."""
    body = ("# TYPE tc_py_records_total counter\ntc_py_records_total %d\n" % n).encode()
    url = os.environ["TC_PUSHGATEWAY"] + "/metrics/job/pidless_test_cluster"
    urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=10).read()


def python_task(fault):
    @pidless.spark.instrument
    def instrumented(lines, partition):
        count_all(lines, fault, partition)

    def task(partition, _):
        lines = records_of(partition)
        mode = partition % 3
        if mode == 0:
            count_all(lines, fault, partition)
        elif mode == 1:
            list(instrumented(lines, partition))
        else:
            with pidless.spark.flush_on_task_end():
                count_all(lines, fault, partition)
        push_to_gateway(len(lines))
        return [len(lines)]
    return task


def executor_totals(sc):
    """Spark's own executor totals from its REST API (every executor, the driver left out): what
    PidlessSink's spark_executor_*_total counters must equal once the executors flushed at stop."""
    url = "%s/api/v1/applications/%s/allexecutors" % (sc.uiWebUrl, sc.applicationId)
    with urllib.request.urlopen(url, timeout=10) as resp:
        executors = [e for e in json.load(resp) if e["id"] != "driver"]
    return {key: sum(e[key] for e in executors)
            for key in ("completedTasks", "totalInputBytes", "totalShuffleRead", "totalShuffleWrite")}


def main(out, small, large, fault):
    from pyspark import SparkContext
    sc = SparkContext(appName="pidless-test-cluster")
    jvm_job = sc._jvm.io.pidless.testcluster.ClusterJob.register(sc._jsc)
    phases, per_task, records, size, after_restart, jobs = [], [], 0, 0, 0, 0
    for name, partitions in (("small", small), ("large", large), ("fault", fault)):
        started = int(time.time() * 1000)
        jvm_records = jvm_job.run(sc._jsc, partitions)
        counts = (sc.parallelize(range(partitions), partitions)
                  .mapPartitionsWithIndex(python_task(name == "fault")).collect())
        jobs += 2
        lines = [line for p in range(partitions) for line in records_of(p)]
        if counts != [len(records_of(p)) for p in range(partitions)] or jvm_records != len(lines):
            raise SystemExit("phase %s: Python tasks read %s, JVM tasks %d records, expected %d"
                             % (name, counts, jvm_records, len(lines)))
        per_task += counts
        records += len(lines)
        size += sum(len(line) for line in lines)
        if name == "fault":
            after_restart = sum(n - n // 2 for n in counts)
        phases.append({"name": name, "partitions": partitions, "start_ms": started,
                       "end_ms": int(time.time() * 1000), "records": len(lines)})
        print("test-cluster: phase %s done, %d Python and %d JVM tasks, %d records each"
              % (name, partitions, partitions, len(lines)), file=sys.stderr)
        time.sleep(3)   # its last deltas flushed and scraped (1 s each) before the next phase
    acc_records, acc_bytes = jvm_job.values()
    expected = {
        "app_name": sc.appName, "records": records, "bytes": size, "acc_records": acc_records,
        "acc_bytes": acc_bytes, "records_after_restart": after_restart,
        "tasks": 2 * sum(p["partitions"] for p in phases), "jobs": jobs, "stages": jobs,
        "python_tasks": len(per_task), "per_task_records": per_task, "phases": phases,
        "executors": sc._jsc.sc().getExecutorMemoryStatus().size() - 1,
        "app_id": sc.applicationId, "executor_totals": executor_totals(sc),
    }
    sc.stop()
    expected["stopped_ms"] = int(time.time() * 1000)
    with open(out, "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1], *(int(n) for n in sys.argv[2:5]))
