"""The README's PySpark example, the way Spark runs it: the driver's ``__main__`` defines the
metrics and the partition function, cloudpickle ships the function by value, and a reused Python
worker unpickles it once per task and leaves with ``os._exit``."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import unittest

from aggregator import PATIENCE, REPO, AggregatorTestCase

try:
    import cloudpickle  # what PySpark pickles functions with
except ImportError:
    cloudpickle = None

README = os.path.join(REPO, "README.md")

WORKER = """
import os, pickle, sys
tasks = [open(path, "rb").read() for path in sys.argv[1:]]
for payload, rows in zip(tasks, (["1", "2"], ["x", "4"])):   # one worker, two tasks
    parse = pickle.loads(payload)
    assert sum(parse(iter(rows))) == {"1": 3, "x": 4}[rows[0]]
os._exit(0)
"""


def _readme_driver_prefix() -> str:
    """The README example up to the SparkSession: metrics and the partition function."""
    with open(README) as f:
        pyspark_section = f.read().split("\n## PySpark\n", 1)[1]
        code = re.search(r"```python\n(.*?)```", pyspark_section, re.S).group(1)
    return code.split("builder = ")[0].replace("from pyspark.sql import SparkSession\n", "")


@unittest.skipIf(cloudpickle is None, "cloudpickle (PySpark's pickler) is not installed")
class SparkPicklingTest(AggregatorTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory(prefix="plpk")
        self.addCleanup(self.tmp.cleanup)

    def test_readme_example_counts_exactly_in_a_reused_worker(self):
        env = dict(os.environ, PIDLESS_SOCKET=self.agg.socket, PIDLESS_EXIT_TIMEOUT=str(PATIENCE),
                   PYTHONPATH=os.path.join(REPO, "client-py"))
        paths = [os.path.join(self.tmp.name, "task%d.pkl" % i) for i in range(2)]
        driver = _readme_driver_prefix() + (
            "\nimport cloudpickle\n"
            "for path in %r:\n"
            "    open(path, 'wb').write(cloudpickle.dumps(parse))\n" % (paths,))
        for argv in ([sys.executable, "-c", driver], [sys.executable, "-c", WORKER] + paths):
            subprocess.run(argv, env=env, check=True, timeout=3 * PATIENCE)
        self.assertEqual(self.agg.value("etl_records_total", stage="parse"), 3.0)
        self.assertEqual(self.agg.value("etl_bad_records_total"), 1.0)
        self.assertEqual(self.agg.value("etl_parse_seconds_count"), 4.0)
        self.assertEqual(self.agg.wait_for("etl_busy_workers", 0.0), 0.0)


if __name__ == "__main__":
    unittest.main()
