"""SIGTERM, SIGHUP and SIGINT during a flush (issue: the handler waited for the flush lock its
own thread held, for the whole exit timeout, then dropped the batch). The interrupted flush now
finishes, and then the process ends as the first signal asks; a second signal changes nothing."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import unittest

import signal_worker
from aggregator import REPO, AggregatorTestCase

EXIT_TIMEOUT = 30.0
# (where the flush is, signals sent during it, the program's own SIGTERM handler?) -> exit code
CASES = {
    ("flush", "TERM", False): -15,
    ("flush", "HUP", False): -1,
    ("flush", "TERM,TERM", False): -15,
    ("flush", "TERM,INT", False): -15,
    ("flush", "INT", False): -2,           # KeyboardInterrupt out of pidless.flush(), uncaught
    ("flush", "TERM", True): 3,            # the program's handler, after the flush
    ("atexit", "TERM", False): -15,
    ("atexit", "HUP,TERM", False): -1,
    ("atexit", "INT", False): 0,           # KeyboardInterrupt in an atexit callback is ignored
    ("atexit", "TERM", True): 0,           # the handler's SystemExit in atexit is ignored, as
                                           # it is without pidless
}


class SignalDuringFlushTest(AggregatorTestCase):
    def test_the_interrupted_flush_finishes_then_the_signal_acts(self):
        expected_total = 0
        for (where, signals, user_handler), code in CASES.items():
            with self.subTest(where=where, signals=signals, user_handler=user_handler):
                argv = [sys.executable, signal_worker.__file__, where, signals]
                env = dict(os.environ, PIDLESS_SOCKET=self.agg.socket, PIDLESS_FLUSH_INTERVAL="3600",
                           PIDLESS_EXIT_TIMEOUT=str(EXIT_TIMEOUT),
                           PYTHONPATH=os.path.join(REPO, "client-py"))
                expected_total += signal_worker.ROWS
                started = time.monotonic()
                done = subprocess.run(argv + (["user-handler"] if user_handler else []), env=env,
                                      capture_output=True, text=True, timeout=4 * EXIT_TIMEOUT)
                self.assertLess(time.monotonic() - started, EXIT_TIMEOUT, done.stderr)
                self.assertEqual(done.returncode, code, done.stderr)
                self.assertNotIn("pidless: dropped", done.stderr)
                self.assertEqual(self.agg.value("sig_rows_total"), expected_total)


if __name__ == "__main__":
    unittest.main()
