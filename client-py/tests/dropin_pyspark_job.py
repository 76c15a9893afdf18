"""A real PySpark application whose metrics are plain prometheus_client, run by
test_dropin_pyspark as its own driver (with an interpreter that has prometheus_client):

    python3 dropin_pyspark_job.py SHIPPED_DIR

The metrics and the task code live in a module shipped with ``addPyFile`` (prometheus_client
metrics cannot be pickled, so such code is always imported by the workers, never shipped by
value); nothing in it knows pidless. The executors' Python processes get pidless from the
sitecustomize recipe with PIDLESS_PROMETHEUS_CLIENT=1, from the environment they inherit. Right
after each action the driver scrapes the aggregator and prints ``RESULT {"scenario", "expected",
"after_action", "observed"}``; a partition whose first attempt ends early counts FAIL_AT records
for it, delivered before that worker ended.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import urllib.request

from aggregator import parse_text_format

PARTITIONS, ROWS, FAIL_AT = 4, 50, 17
SHIPPED_MODULE = """import os

import prometheus_client
from pyspark import TaskContext

RECORDS = prometheus_client.Counter("psd_records", "Records seen by PySpark tasks", ["scenario"])
SIZES = prometheus_client.Histogram("psd_record_size", "Record sizes", ["scenario"],
                                    buckets=(10, 100))


def count(scenario, ends, index, rows):
    first = TaskContext.get().attemptNumber() == 0
    for i, row in enumerate(rows):
        if index == 1 and first and i == %d:
            if ends == "raise":
                raise RuntimeError("the first attempt of partition 1 fails")
            if ends == "os_exit":
                os._exit(3)
        RECORDS.labels(scenario).inc()
        SIZES.labels(scenario).observe(row %% 200)
        yield row
""" % FAIL_AT


def scrape() -> dict:
    with urllib.request.urlopen(os.environ["PIDLESS_TEST_METRICS_URL"], timeout=30) as response:
        return parse_text_format(response.read().decode("utf-8"))


def main(shipped_dir: str) -> None:
    from pyspark import SparkConf, SparkContext
    conf = (SparkConf().setMaster("local[2,2]").setAppName("pidless-dropin-pyspark-test")
            .set("spark.ui.enabled", "false").set("spark.task.maxFailures", "2"))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    module = os.path.join(shipped_dir, "pidless_dropin_job.py")
    with open(module, "w") as f:
        f.write(SHIPPED_MODULE)
    sc.addPyFile(module)
    import pidless_dropin_job
    data = sc.parallelize(range(PARTITIONS * ROWS), PARTITIONS)
    for scenario, ends in (("plain", ""), ("first_attempt_raise", "raise"),
                           ("first_attempt_os_exit", "os_exit")):
        task = functools.partial(pidless_dropin_job.count, scenario, ends)
        assert data.mapPartitionsWithIndex(task).count() == PARTITIONS * ROWS
        samples = scrape()
        labels = frozenset({("scenario", scenario)})
        print("RESULT " + json.dumps({
            "scenario": scenario, "expected": PARTITIONS * ROWS + (FAIL_AT if ends else 0),
            "after_action": samples.get(("psd_records_total", labels)),
            "observed": samples.get(("psd_record_size_count", labels))}), flush=True)
    sc.stop()
    shutil.rmtree(shipped_dir, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
