"""200 workers through os.fork, multiprocessing fork and spawn, ending by return, sys.exit,
os._exit after ``instrument``, and SIGTERM: every scraped total exact, live gauges fall back."""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import unittest

import pidless
import workers
from aggregator import REPO, AggregatorTestCase

CLIENT_PY = os.path.join(REPO, "client-py")
WARM_UP = pidless.Counter("wk_warmup_total", "Warm-up")


def _readline(driver) -> str:
    """The driver's next line, failing instead of hanging when it says nothing for too long."""
    if not select.select([driver.stdout], [], [], 3 * workers.TIMEOUT)[0]:
        raise AssertionError("the worker driver said nothing for %d s" % (3 * workers.TIMEOUT))
    return driver.stdout.readline().strip()


class TwoHundredWorkersTest(AggregatorTestCase):
    def setUp(self):
        super().setUp()
        # A first connection warms the JVM up before 200 workers arrive at once.
        pidless.configure(socket=self.agg.socket)
        WARM_UP.inc()
        self.assertTrue(pidless.flush(timeout=workers.TIMEOUT))
        self.assertEqual(self.agg.value("wk_warmup_total"), 1.0)

    def test_every_worker_is_counted_once_however_it_ends(self):
        env = dict(os.environ, PIDLESS_SOCKET=self.agg.socket, PIDLESS_FLUSH_INTERVAL="60",
                   PIDLESS_EXIT_TIMEOUT=str(workers.TIMEOUT),
                   PYTHONPATH=CLIENT_PY)
        driver = subprocess.Popen([sys.executable, workers.__file__], cwd=CLIENT_PY, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(_readline(driver), "READY")
            for kind in workers.WORKERS:
                for ending in workers.ENDINGS:
                    want = workers.expected(kind, ending)
                    labels = dict(kind=kind, ending=ending)
                    self.assertEqual(self.agg.wait_for("wk_busy", want["busy_alive"], **labels),
                                     want["busy_alive"], labels)
                    self.assertEqual(self.agg.value("wk_tasks_total", **labels), want["tasks"], labels)
                    if ending != "sigterm":
                        self.assertEqual(self.agg.value("wk_rows_total", **labels), want["rows"],
                                         labels)
            driver.stdin.write("GO\n")
            driver.stdin.flush()
            done = _readline(driver)
            self.assertTrue(done.startswith("DONE "), done)
            self.assertEqual(driver.wait(60), 0)
        finally:
            driver.kill()
            driver.wait()
            driver.stdin.close()
            driver.stdout.close()
        statuses = json.loads(done[len("DONE "):])
        for kind, n in workers.WORKERS.items():
            for ending in workers.ENDINGS:
                code = "-15" if ending == "sigterm" else "0"
                self.assertEqual(statuses[kind + "/" + ending], {code: n}, (kind, ending))
                want = workers.expected(kind, ending)
                labels = dict(kind=kind, ending=ending)
                self.assertEqual(self.agg.value("wk_rows_total", **labels), want["rows"], labels)
                self.assertEqual(self.agg.wait_for("wk_busy", 0.0, **labels), 0.0, labels)
            tasks = 4 * n
            self.assertEqual(self.agg.value("wk_latency_seconds_count", kind=kind), tasks)
            self.assertEqual(self.agg.value("wk_latency_seconds_sum", kind=kind), 0.5 * tasks)
            self.assertEqual(self.agg.value("wk_latency_seconds_bucket", kind=kind, le="0.25"), 0.0)
            self.assertEqual(self.agg.value("wk_latency_seconds_bucket", kind=kind, le="1.0"), tasks)
            self.assertEqual(self.agg.value("wk_latency_seconds_bucket", kind=kind, le="+Inf"),
                             tasks)


if __name__ == "__main__":
    unittest.main()
