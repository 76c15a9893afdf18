"""The pyspark.daemon shape: a long-lived parent that imports pidless and increments, then forks a
worker per task that increments and leaves with ``os._exit(0)``."""
from __future__ import annotations

import os
import unittest

import pidless

from aggregator import PATIENCE, AggregatorTestCase

ROWS = pidless.Counter("pd_rows_total", "Rows, counted by the daemon and by its workers")
ALIVE = pidless.Gauge("pd_alive", "Processes alive (livesum)")
TASKS = 20
DAEMON_ROWS_PER_TASK = 100


@pidless.spark.instrument
def _task(rows):
    for row in rows:
        ROWS.inc()
        yield row


def _fork_task() -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ALIVE.set(1)
            code = 0 if sum(_task(iter([1]))) == 1 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


class PySparkDaemonShapeTest(AggregatorTestCase):
    def setUp(self):
        super().setUp()
        # A long interval keeps the daemon's deltas pending while it forks.
        pidless.configure(socket=self.agg.socket, flush_interval=60, exit_timeout=PATIENCE)

    def test_forked_task_workers_never_resend_the_daemons_pending_deltas(self):
        ALIVE.set(1)
        for _ in range(TASKS):
            ROWS.inc(DAEMON_ROWS_PER_TASK)       # pending in the daemon at fork time
            self.assertEqual(_fork_task(), 0)
        # Only the workers have flushed: one row each, none of the daemon's.
        self.assertEqual(self.agg.value("pd_rows_total"), TASKS)
        self.assertEqual(self.agg.wait_for("pd_alive", 0.0), 0.0)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("pd_rows_total"), TASKS * (1 + DAEMON_ROWS_PER_TASK))
        self.assertEqual(self.agg.value("pd_alive"), 1.0)


if __name__ == "__main__":
    unittest.main()
