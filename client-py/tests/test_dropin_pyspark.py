"""Issue 10: a real PySpark job (pyspark.daemon workers on ``local[2,2]``) whose code uses plain
prometheus_client metrics, switched to pidless by the sitecustomize recipe in the executors'
Python processes: exact right after each action, also when a task's first attempt raises or its
worker calls ``os._exit``, and still after the application stopped."""
from __future__ import annotations

import os
import sys
import tempfile
import unittest

import prometheus_python
import pyspark_home
from aggregator import AggregatorTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
JOB = os.path.join(HERE, "dropin_pyspark_job.py")   # imports nothing of prometheus_client itself


class DropInPySparkTest(AggregatorTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pyspark = pyspark_home.find()
        cls.python = prometheus_python.find()
        print("\ntest_dropin_pyspark: %s, Python %s" % (cls.pyspark.source, cls.python),
              file=sys.stderr)

    def test_prometheus_client_metrics_in_pyspark_tasks_are_exact(self):
        code, results, stderr = self.pyspark.run_driver(
            self.python, JOB, [tempfile.mkdtemp(prefix="plship")], self.agg,
            pythonpath=[os.path.join(HERE, "sitecustomize"), HERE], PIDLESS_PROMETHEUS_CLIENT="1")
        self.assertEqual(code, 0, stderr[-5000:])
        self.assertEqual(tuple(results), ("plain", "first_attempt_raise", "first_attempt_os_exit"))
        for scenario, result in results.items():
            with self.subTest(scenario=scenario):
                self.assertEqual(result["after_action"], result["expected"])
                self.assertEqual(result["observed"], result["expected"])
                self.assertEqual(self.agg.value("psd_records_total", scenario=scenario),
                                 result["expected"])
        self.assertEqual(results["plain"]["expected"], 200)
        self.assertEqual(results["first_attempt_raise"]["expected"], 217)


if __name__ == "__main__":
    unittest.main()
