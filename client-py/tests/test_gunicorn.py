"""Issue 10: a gunicorn app instrumented with plain prometheus_client (gunicorn_app.py), switched to
pidless by the sitecustomize recipe and PIDLESS_PROMETHEUS_CLIENT=1: pre-fork workers recycled by
``--max-requests``, ``preload_app`` on and off, driven by a bounded load loop on 127.0.0.1. The
aggregator's totals are exact while it runs and after gunicorn stopped, and never go down when a
worker is recycled (multiprocess mode would need its per-pid files for that)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import threading
import time
import unittest

import prometheus_python
from aggregator import REPO, AggregatorTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
REQUESTS = 240
MAX_REQUESTS = 15          # per worker: about REQUESTS / MAX_REQUESTS recycles
LOAD_DEADLINE = 90.0       # seconds; the loop is bounded by REQUESTS and by this
_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


class GunicornTest(AggregatorTestCase):
    @classmethod
    def setUpClass(cls):
        cls.python = prometheus_python.find("gunicorn")

    def start_gunicorn(self, preload: bool) -> int:
        env = dict(os.environ, PIDLESS_SOCKET=self.agg.socket, PIDLESS_FLUSH_INTERVAL="0.2",
                   PIDLESS_EXIT_TIMEOUT="30", PIDLESS_PROMETHEUS_CLIENT="1",
                   PYTHONDONTWRITEBYTECODE="1",
                   PYTHONPATH=os.pathsep.join([os.path.join(HERE, "sitecustomize"),
                                               os.path.join(REPO, "client-py")]))
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.gunicorn = subprocess.Popen(
            [self.python, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "2",
             "--max-requests", str(MAX_REQUESTS), "--graceful-timeout", "30", "--chdir", HERE]
            + (["--preload"] if preload else []) + ["gunicorn_app:app"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_gunicorn)
        self.log = []
        port = []
        started = threading.Event()

        def pump():
            for line in self.gunicorn.stderr:
                self.log.append(line)
                m = _LISTENING.search(line)
                if m and not port:
                    port.append(int(m.group(1)))
                    started.set()
            started.set()
        self.pump = threading.Thread(target=pump, daemon=True)
        self.pump.start()
        self.assertTrue(started.wait(60) and port, "".join(self.log))
        return port[0]

    def stop_gunicorn(self) -> None:
        if self.gunicorn.poll() is None:
            self.gunicorn.send_signal(signal.SIGTERM)   # graceful: workers finish and exit
            try:
                self.gunicorn.wait(60)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait()
                self.fail("gunicorn did not stop within 60 s: " + "".join(self.log))
        self.pump.join(10)
        self.gunicorn.stderr.close()
        self.assertEqual(self.gunicorn.returncode, 0, "".join(self.log))

    def get(self, port: int, path: str) -> tuple:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.getheader("X-Pid"), response.read().decode()
        finally:
            conn.close()

    def check(self, preload: bool) -> None:
        port = self.start_gunicorn(preload)
        deadline = time.monotonic() + LOAD_DEADLINE
        pids, seen = set(), []
        for i in range(REQUESTS):
            self.assertLess(time.monotonic(), deadline, "load loop too slow: %d requests" % i)
            status, pid, _ = self.get(port, "/work")
            self.assertEqual(status, 200)
            pids.add(pid)
            if i % 20 == 0:
                seen.append(self.agg.value("gu_requests_total", path="/work") or 0)
        # Recycled workers: many more pids than the 2 running at once.
        self.assertGreater(len(pids), REQUESTS // MAX_REQUESTS // 2, pids)
        # No reset when a worker is recycled: one series that only goes up.
        self.assertEqual(seen, sorted(seen))
        # The live workers flush every 0.2 s: exact while gunicorn runs.
        self.assertEqual(self.agg.wait_for("gu_requests_total", REQUESTS, path="/work"), REQUESTS)
        # A worker's own prometheus_client /metrics still shows its own count (at most
        # MAX_REQUESTS), not the merged one.
        status, _, own = self.get(port, "/metrics")
        own_count = float(re.search(r"^gu_latency_seconds_count (\S+)$", own, re.M).group(1))
        self.assertLessEqual(own_count, MAX_REQUESTS)
        self.stop_gunicorn()
        scraped = self.agg.scrape()
        self.assertEqual(scraped[("gu_requests_total", frozenset({("path", "/work")}))], REQUESTS)
        self.assertEqual(scraped[("gu_latency_seconds_count", frozenset())], REQUESTS)
        self.assertEqual(scraped[("gu_latency_seconds_bucket", frozenset({("le", "+Inf")}))], REQUESTS)
        self.assertGreater(scraped[("gu_latency_seconds_sum", frozenset())], 0)
        self.assertEqual(scraped[("gu_inprogress", frozenset())], 0)
        self.assertNotIn("dropped", "".join(self.log))

    def test_preloaded_app_with_recycled_workers(self):
        self.check(preload=True)

    def test_app_loaded_by_each_worker_with_recycled_workers(self):
        self.check(preload=False)


if __name__ == "__main__":
    unittest.main()
