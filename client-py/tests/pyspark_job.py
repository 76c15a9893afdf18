"""A real PySpark application, run by test_pyspark as its own driver process:

    python3 pyspark_job.py MASTER REUSE SHIPPED_DIR     # REUSE: spark.python.worker.reuse

Each scenario is one job over PARTITIONS partitions of ROWS records in pyspark.daemon workers;
the metrics are defined here, in the driver's ``__main__`` (Spark pickles them with the
functions), except the shipped scenario's, defined at module level in a file sent with
``addPyFile``. Right after each action it scrapes the aggregator (``PIDLESS_TEST_METRICS_URL``) and
prints ``RESULT {"scenario", "expected", "after_action"}``. Executors get a flush interval of an
hour: only the exit paths deliver, never the flusher thread.

Scenarios ending a first attempt early count FAIL_AT records for it (delivered before that worker
ended), then ROWS for the retry: ``expected`` = PARTITIONS * ROWS + FAIL_AT.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
import urllib.request

import pidless
from aggregator import parse_text_format

PARTITIONS, ROWS, FAIL_AT = 4, 50, 17
RECORDS = pidless.Counter("ps_records_total", "Records seen by PySpark tasks", ["scenario"])
SHIPPED_MODULE = """import pidless

SHIPPED = pidless.Counter("ps_shipped_records_total", "Records counted by a module-level metric")


def count(row):
    SHIPPED.inc()
    return row
"""


def counting(scenario: str):
    """A plain ``map`` function, no decorator: existing PySpark code."""
    def count(row):
        RECORDS.labels(scenario).inc()
        return row
    return count


def counting_partitions(scenario: str, first_attempt_ends: str = ""):
    """A partition function; with ``first_attempt_ends``, partition 1's first attempt ends after
    FAIL_AT records: ``raise``, ``os_exit``, or the name of a signal it sends itself."""
    def partition(index, rows):
        from pyspark import TaskContext
        records = RECORDS.labels(scenario)
        ends = first_attempt_ends if TaskContext.get().attemptNumber() == 0 else ""
        for i, row in enumerate(rows):
            if index == 1 and ends and i == FAIL_AT:
                if ends == "raise":
                    raise RuntimeError("the first attempt of partition 1 fails")
                if ends == "os_exit":
                    os._exit(3)
                os.kill(os.getpid(), getattr(signal, ends))   # as pyspark.daemon's shutdown does
                time.sleep(600)   # never reached: the signal ends this worker
            records.inc()
            yield row
    return partition


def scrape(name: str, **labels) -> float:
    with urllib.request.urlopen(os.environ["PIDLESS_TEST_METRICS_URL"], timeout=30) as response:
        samples = parse_text_format(response.read().decode("utf-8"))
    return samples.get((name, frozenset(labels.items())))


def report(scenario: str, expected: int, after_action) -> None:
    print("RESULT " + json.dumps({"scenario": scenario, "expected": expected,
                                  "after_action": after_action}), flush=True)


def main(master: str, reuse: str, shipped_dir: str) -> None:
    from pyspark import SparkConf, SparkContext   # here: test_pyspark imports this module
    conf = (SparkConf().setMaster(master).setAppName("pidless-pyspark-test")
            .set("spark.python.worker.reuse", reuse).set("spark.ui.enabled", "false")
            .set("spark.task.maxFailures", "2"))
    for key, value in pidless.spark.executor_conf().items():
        conf = conf.set(key, value)
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    data = sc.parallelize(range(PARTITIONS * ROWS), PARTITIONS)
    total = PARTITIONS * ROWS

    count = data.map(counting("plain")).count()
    report("plain", count, scrape("ps_records_total", scenario="plain"))

    decorated = pidless.spark.instrument(counting_partitions("decorated"))
    count = data.mapPartitionsWithIndex(decorated).count()
    report("decorated", count, scrape("ps_records_total", scenario="decorated"))

    for how in ("raise", "os_exit", "SIGHUP", "SIGTERM"):
        scenario = "first_attempt_" + how.lower()
        assert data.mapPartitionsWithIndex(counting_partitions(scenario, how)).count() == total
        report(scenario, total + FAIL_AT, scrape("ps_records_total", scenario=scenario))

    decorated = pidless.spark.instrument(counting_partitions("decorated_raise", "raise"))
    assert data.mapPartitionsWithIndex(decorated).count() == total
    report("decorated_raise", total + FAIL_AT, scrape("ps_records_total", scenario="decorated_raise"))

    module = os.path.join(shipped_dir, "pidless_shipped_job.py")
    with open(module, "w") as f:
        f.write(SHIPPED_MODULE)
    sc.addPyFile(module)
    import pidless_shipped_job
    count = data.map(pidless_shipped_job.count).count()
    report("shipped", count, scrape("ps_shipped_records_total"))
    sc.stop()
    shutil.rmtree(shipped_dir, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
