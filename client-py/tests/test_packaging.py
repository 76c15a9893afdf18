"""pidless works when shipped the PySpark way: as a zip on the path (``--py-files pidless.zip``)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

from aggregator import PATIENCE, REPO, AggregatorTestCase

PACKAGE = os.path.join(REPO, "client-py", "pidless")

SCRIPT = """
import pidless
assert ".zip" in pidless.__file__, pidless.__file__
RECORDS = pidless.Counter("zip_records_total", "Records", ["stage"])
RECORDS.labels(stage="parse").inc(42)
assert pidless.flush(timeout=%r)
"""


class ZipImportTest(AggregatorTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory(prefix="plzip")
        self.addCleanup(self.tmp.cleanup)

    def test_imports_from_a_zip_and_delivers(self):
        archive = os.path.join(self.tmp.name, "pidless.zip")
        with zipfile.ZipFile(archive, "w") as z:
            for name in sorted(os.listdir(PACKAGE)):
                if name.endswith(".py"):
                    z.write(os.path.join(PACKAGE, name), "pidless/" + name)
        subprocess.run([sys.executable, "-c", SCRIPT % PATIENCE], cwd=self.tmp.name, check=True,
                       timeout=3 * PATIENCE,
                       env={"PYTHONPATH": archive, "PIDLESS_SOCKET": self.agg.socket,
                            "PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        self.assertEqual(self.agg.value("zip_records_total", stage="parse"), 42.0)


if __name__ == "__main__":
    unittest.main()
