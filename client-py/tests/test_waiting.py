"""waiting.await_value, the tests' one bounded wait."""
from __future__ import annotations

import itertools
import threading
import unittest

from waiting import await_value


class AwaitValueTest(unittest.TestCase):
    def test_returns_the_first_value_that_satisfies_the_condition(self):
        reads = itertools.count(1)
        self.assertEqual(await_value("the third read", lambda: next(reads), lambda v: v >= 3), 3)
        self.assertEqual(next(reads), 4, "no read after the one that satisfied it")

    def test_running_out_names_what_it_waited_for_and_the_last_value(self):
        with self.assertRaises(AssertionError) as raised:
            await_value("a negative count", lambda: 7, lambda v: v < 0, timeout=0.2)
        self.assertEqual(str(raised.exception), "waited 0.2 s for a negative count; last value: 7")

    def test_a_failing_probe_ends_the_wait_with_its_exception(self):
        def refused():
            raise ConnectionRefusedError("no aggregator")
        with self.assertRaises(ConnectionRefusedError):
            await_value("a scrape", refused, lambda v: True)

    def test_waits_for_another_thread(self):
        done = threading.Event()
        threading.Thread(target=done.set).start()
        self.assertTrue(await_value("the other thread set it", done.is_set, bool))


if __name__ == "__main__":
    unittest.main()
