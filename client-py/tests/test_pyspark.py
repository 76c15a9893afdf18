"""Real PySpark (pyspark.daemon workers, Spark 4.0.1's JVM from Maven Central) on ``local[2,2]``
and ``local-cluster[2,1,1024]``, worker reuse on and off: every scenario of pyspark_job.py is exact
right after its action, with or without ``@pidless.spark.instrument``, and still after the
application stopped. Skipped, with the reason, where no PySpark can be had (see pyspark_home)."""
from __future__ import annotations

import sys
import tempfile
import unittest

import pyspark_home
import pyspark_job
from aggregator import AggregatorTestCase

DRIVER_TIMEOUT = 600
SCENARIOS = ("plain", "decorated", "first_attempt_raise", "first_attempt_os_exit",
             "first_attempt_sighup", "first_attempt_sigterm", "decorated_raise", "shipped")


class PySparkJobTest(AggregatorTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pyspark = pyspark_home.find()
        print("\ntest_pyspark: " + cls.pyspark.source, file=sys.stderr)

    def run_job(self, master: str, reuse: str) -> dict:
        shipped = tempfile.mkdtemp(prefix="plship")
        code, results, stderr = self.pyspark.run_driver(
            sys.executable, pyspark_job.__file__, [master, reuse, shipped], self.agg,
            timeout=DRIVER_TIMEOUT)
        self.assertEqual(code, 0, stderr[-5000:])
        return results

    def check(self, master: str, reuse: str) -> None:
        results = self.run_job(master, reuse)
        self.assertEqual(tuple(results), SCENARIOS)
        total = pyspark_job.PARTITIONS * pyspark_job.ROWS
        for scenario, result in results.items():
            with self.subTest(scenario=scenario):
                failed_first = scenario.startswith("first_attempt") or scenario == "decorated_raise"
                self.assertEqual(result["expected"], total + (pyspark_job.FAIL_AT if failed_first else 0))
                self.assertEqual(result["after_action"], result["expected"])
                # After sc.stop(): pyspark.daemon's shutdown SIGHUPed its idle workers.
                name, labels = (("ps_shipped_records_total", {}) if scenario == "shipped"
                                else ("ps_records_total", {"scenario": scenario}))
                self.assertEqual(self.agg.value(name, **labels), result["expected"])

    def test_local_reused_workers(self):
        self.check("local[2,2]", "true")

    def test_local_workers_not_reused(self):
        self.check("local[2,2]", "false")

    def test_local_cluster_reused_workers(self):
        self.check("local-cluster[2,1,1024]", "true")

    def test_local_cluster_workers_not_reused(self):
        self.check("local-cluster[2,1,1024]", "false")


if __name__ == "__main__":
    unittest.main()
