"""Issue: ``with Pool(...) as p: p.map(...)`` lost the last batch of a worker that got the pool's
SIGTERM during its exit flush, and the worker hung for the whole exit timeout. Every pool shape:
exact totals, and the pool's exit well within ``PIDLESS_EXIT_TIMEOUT``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unittest

import pools
from aggregator import REPO, AggregatorTestCase

EXIT_TIMEOUT = 30.0


class PoolContextManagerTest(AggregatorTestCase):
    def run_pool(self, method: str, maxtasks: str) -> dict:
        env = dict(os.environ, PIDLESS_SOCKET=self.agg.socket, PIDLESS_FLUSH_INTERVAL="3600",
                   PIDLESS_EXIT_TIMEOUT=str(EXIT_TIMEOUT), PYTHONPATH=os.path.join(REPO, "client-py"))
        done = subprocess.run([sys.executable, pools.__file__, method, maxtasks], env=env,
                              cwd=os.path.dirname(pools.__file__), capture_output=True, text=True,
                              timeout=10 * EXIT_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("dropped", done.stderr)
        return json.loads(done.stdout.split("DONE ", 1)[1])

    def test_every_pool_shape_counts_exactly_and_ends_in_time(self):
        for method in ("fork", "spawn", "forkserver"):
            for maxtasks in ("1", "none"):
                with self.subTest(method=method, maxtasks=maxtasks):
                    result = self.run_pool(method, maxtasks)
                    self.assertEqual(result["sent"],
                                     pools.PARTS * sum(10 + i for i in range(pools.TASKS)))
                    self.assertLess(result["exit_seconds"], EXIT_TIMEOUT)
                    # The pool has joined every worker: all their final flushes are ACKed.
                    scraped = self.agg.samples("pool_rows_total", method=method, maxtasks=maxtasks)
                    self.assertEqual(len(scraped), pools.PARTS)
                    self.assertEqual(sum(scraped.values()), result["sent"])


if __name__ == "__main__":
    unittest.main()
