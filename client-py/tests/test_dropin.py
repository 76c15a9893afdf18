"""Issue 10: unchanged prometheus_client code sends to pidless after one call (or
``PIDLESS_PROMETHEUS_CLIENT=1``), exactly once, through the real aggregator; the process's own
prometheus_client /metrics keeps its own values; a prometheus_client whose internals differ gets one
error line and keeps working in-process. Run with an interpreter that has prometheus_client
(prometheus_python)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import unittest

import prometheus_python
from aggregator import REPO, AggregatorTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "dropin_app.py")   # imports prometheus_client: not importable here
SITECUSTOMIZE = os.path.join(HERE, "sitecustomize")


def dropin_env(agg, **extra) -> dict:
    env = dict(os.environ, PIDLESS_SOCKET=agg.socket, PIDLESS_TEST_METRICS_URL=agg.url, PIDLESS_FLUSH_INTERVAL="3600",
               PIDLESS_EXIT_TIMEOUT="30", PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=os.pathsep.join([os.path.join(REPO, "client-py"), HERE]))
    env.pop("PIDLESS_PROMETHEUS_CLIENT", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(extra)
    return env


class DropInTest(AggregatorTestCase):
    @classmethod
    def setUpClass(cls):
        cls.python = prometheus_python.find()

    def run_app(self, *args, **env) -> tuple:
        done = subprocess.run([self.python, APP] + list(args),
                              env=dropin_env(self.agg, **env), cwd=HERE, capture_output=True,
                              text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout.split("DONE ", 1)[1]), done.stderr

    def test_every_metric_type_defined_before_and_after_the_call_is_exact(self):
        own, stderr = self.run_app("inprocess")
        self.assertEqual(stderr, "")
        agg = self.agg.scrape()
        expected = {
            ("drop_requests_total", (("path", "/a"),)): 5, ("drop_requests_total", (("path", "/b"),)): 1,
            ("drop_latency_seconds_bucket", (("le", "0.1"),)): 1,
            ("drop_latency_seconds_bucket", (("le", "1.0"),)): 2,
            ("drop_latency_seconds_bucket", (("le", "+Inf"),)): 3,
            ("drop_latency_seconds_count", ()): 3, ("drop_latency_seconds_sum", ()): 5.55,
            ("drop_batches_total", ()): 2.5,
            ("drop_payload_bytes_count", (("kind", "json"),)): 2,
            ("drop_payload_bytes_sum", (("kind", "json"),)): 300,
            # 4 threads x 20,000: half inc() (lock-free), half inc(2) (locked), flushed meanwhile.
            ("drop_hits_total", ()): 4 * 20000 * 1.5,
        }
        for (name, labels), value in expected.items():
            with self.subTest(sample=name, labels=labels):
                self.assertEqual(agg.get((name, frozenset(labels))), value)
                # The process's own /metrics shows the same: it counted all of it.
                self.assertEqual(own[name + json.dumps(dict(labels))], value)
        # livesum, and the default mode 'all' made livesum: their value while the process lived,
        # nothing once it ended.
        self.assertEqual((own["live_inflight"], own["live_state"]), (7, 4))
        self.assertEqual((own["drop_inflight{}"], own["drop_state{}"]), (7, 4))
        self.assertEqual(self.agg.wait_for("drop_inflight", 0), 0)   # once it saw the socket close
        self.assertEqual(self.agg.wait_for("drop_state", 0), 0)
        # max mode: the aggregator keeps the peak, the process's own gauge its current value.
        self.assertEqual(agg.get(("drop_peak_bytes", frozenset())), 10)
        self.assertEqual(own["drop_peak_bytes{}"], 3)
        # Info has no value object: in-process only.
        self.assertEqual(own['drop_build_info{"version": "1"}'], 1)
        self.assertNotIn(("drop_build_info", frozenset({("version", "1")})), agg)

    def test_unknown_internals_log_one_error_and_keep_metrics_in_process(self):
        own, stderr = self.run_app("mismatch")
        self.assertEqual(len(stderr.splitlines()), 1, stderr)
        self.assertIn("pidless: not sending prometheus_client", stderr)
        self.assertIn("keep working in-process", stderr)
        self.assertFalse(own["installed"])
        self.assertTrue(own["restored"])
        self.assertEqual(own['drop_requests_total{"path": "/a"}'], 7)
        self.assertIsNone(self.agg.value("drop_requests_total", path="/a"))

    def test_sigterm_flushes_then_ends_the_process_by_the_signal(self):
        done = subprocess.run([self.python, APP, "sigterm"], env=dropin_env(self.agg), cwd=HERE,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, -signal.SIGTERM, done.stderr)
        self.assertEqual(self.agg.value("drop_requests_total", path="/term"), 11)

    def test_multiprocessing_pool_through_the_sitecustomize_recipe(self):
        for method, maxtasks in (("fork", "1"), ("spawn", "none"), ("forkserver", "1")):
            with self.subTest(method=method, maxtasks=maxtasks):
                result, stderr = self.run_app(
                    "pool", method, maxtasks, PIDLESS_PROMETHEUS_CLIENT="1",
                    PYTHONPATH=os.pathsep.join([SITECUSTOMIZE, os.path.join(REPO, "client-py"), HERE]))
                self.assertNotIn("dropped", stderr)
                self.assertEqual(result["sent"], sum(10 + i for i in range(result["tasks"])))
                self.assertGreater(result["tasks"], 0)
                self.assertEqual(self.agg.value("drop_pool_rows_total", method=method,
                                                maxtasks=maxtasks), result["sent"])


if __name__ == "__main__":
    unittest.main()
