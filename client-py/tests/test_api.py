"""Bad input at the API raises at once with a clear message; delivery trouble never raises.

Also runs every docstring example of the package (``load_tests``).
"""
from __future__ import annotations

import doctest
import logging
import pickle
import tempfile
import unittest

import pidless
from pidless import (config, connection, delivery, dropin, dropin_cells, dropin_series,
                     exit_signals, metrics, names, protocol, pyspark_worker, runtime, series,
                     spark, timing, values, wire)
from pidless.runtime import RUNTIME

from aggregator import PATIENCE, Aggregator


def load_tests(loader, tests, ignore):
    for module in (pidless, config, connection, delivery, dropin, dropin_cells, dropin_series,
                   exit_signals, metrics, names, protocol, pyspark_worker, runtime, series,
                   spark, timing, values, wire):
        tests.addTests(doctest.DocTestSuite(module, extraglobs={"pidless": pidless}))
    return tests


class DefinitionErrorsTest(unittest.TestCase):
    def test_invalid_metric_name_is_named_in_the_error(self):
        with self.assertRaisesRegex(ValueError, r"Invalid metric name: 'etl-records'"):
            pidless.Counter("etl-records", "Records")
        with self.assertRaisesRegex(ValueError, "reserved"):
            pidless.Gauge("pidless_mine", "Not yours")
        with self.assertRaisesRegex(ValueError, "Invalid metric name: ''"):
            pidless.Summary("", "Empty")

    def test_invalid_label_names_are_rejected(self):
        with self.assertRaisesRegex(ValueError, "Invalid label name: 'a-b'"):
            pidless.Counter("api_bad_label_total", "x", ["a-b"])
        with self.assertRaisesRegex(ValueError, "'__x'"):
            pidless.Counter("api_bad_label_total", "x", ["__x"])
        with self.assertRaisesRegex(ValueError, "'le' is reserved for histogram"):
            pidless.Histogram("api_bad_le", "x", ["le"])
        with self.assertRaisesRegex(ValueError, "'quantile' is reserved for summary"):
            pidless.Summary("api_bad_quantile", "x", ["quantile"])
        with self.assertRaisesRegex(ValueError, "'a' appears twice"):
            pidless.Counter("api_bad_label_total", "x", ["a", "a"])
        with self.assertRaisesRegex(ValueError, "expected a list or tuple of str"):
            pidless.Counter("api_bad_label_total", "x", "stage")

    def test_bad_options_are_rejected(self):
        with self.assertRaisesRegex(ValueError, "Invalid multiprocess_mode: 'all'"):
            pidless.Gauge("api_bad_mode", "x", multiprocess_mode="all")
        with self.assertRaisesRegex(ValueError, "strictly increasing"):
            pidless.Histogram("api_bad_buckets", "x", buckets=(1, 0.5))
        with self.assertRaisesRegex(ValueError, "at least one finite"):
            pidless.Histogram("api_bad_buckets", "x", buckets=(float("inf"),))
        with self.assertRaisesRegex(ValueError, "at most 4096"):
            pidless.Counter("api_long_help_total", "x" * 4097)
        with self.assertRaisesRegex(ValueError, "Invalid flush_interval: 0"):
            pidless.configure(flush_interval=0)

    def test_a_failed_definition_leaves_the_name_free(self):
        with self.assertRaises(ValueError):
            pidless.Histogram("api_retry_seconds", "x", buckets=())
        pidless.Histogram("api_retry_seconds", "x", buckets=(1,))

    def test_same_family_twice_in_one_process_is_an_error(self):
        pidless.Counter("api_twice_total", "x")
        with self.assertRaisesRegex(ValueError, "Duplicated metric: 'api_twice' is already defined"):
            pidless.Counter("api_twice", "x")

    def test_wrong_labels_raise(self):
        c = pidless.Counter("api_labels_total", "x", ["stage", "host"])
        with self.assertRaisesRegex(ValueError, r"expected 2 values for \['stage', 'host'\], got 1"):
            c.labels("parse")
        with self.assertRaisesRegex(ValueError, "Incorrect label names"):
            c.labels(stage="parse", hots="a")
        with self.assertRaisesRegex(ValueError, r"call Counter.labels\(...\).inc\(\)"):
            c.inc()
        plain = pidless.Counter("api_nolabels_total", "x")
        with self.assertRaisesRegex(ValueError, "has no label names"):
            plain.labels("x")

    def test_bad_values_raise_at_the_call(self):
        c = pidless.Counter("api_negative_total", "x")
        with self.assertRaisesRegex(ValueError, "non-negative amounts, got -1 for api_negative_total"):
            c.inc(-1)
        with self.assertRaisesRegex(ValueError, "got nan"):
            c.inc(float("nan"))
        h = pidless.Histogram("api_nan_seconds", "x", buckets=(1,))
        with self.assertRaisesRegex(ValueError, "Observations must be finite"):
            h.observe(float("inf"))
        level = pidless.Gauge("api_sum_level", "x", multiprocess_mode="sum")
        with self.assertRaisesRegex(ValueError, "A sum gauge holds finite values, got nan"):
            level.set(float("nan"))
        with self.assertRaisesRegex(ValueError, "A sum gauge changes by finite amounts, got inf"):
            level.inc(float("inf"))

    def test_label_values_are_strings(self):
        c = pidless.Counter("api_str_total", "x", ["shard"])
        self.assertIs(c.labels(3), c.labels("3"))
        self.assertEqual(str(c.labels(shard=3).series), 'api_str_total{shard="3"}')

    def test_pickled_metric_is_the_same_metric_in_the_same_process(self):
        g = pidless.Gauge("api_pickled", "x", ["k"], multiprocess_mode="max")
        self.assertIs(pickle.loads(pickle.dumps(g)), g)


class NeverRaisesTest(unittest.TestCase):
    def test_inc_and_flush_do_not_raise_without_aggregator_and_deltas_survive(self):
        c = pidless.Counter("api_down_total", "x")
        h = pidless.Histogram("api_down_seconds", "x", buckets=(1,))
        empty_dir = tempfile.TemporaryDirectory(prefix="pl", dir="/tmp")
        self.addCleanup(empty_dir.cleanup)
        missing = empty_dir.name + "/none.sock"
        pidless.configure(socket=missing)
        with self.assertLogs("pidless", logging.WARNING) as logs:
            for _ in range(3):
                c.inc(2)
                h.observe(0.5)
                self.assertFalse(pidless.flush(timeout=0.2))
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn(missing, logs.output[0])
        self.assertIn("PIDLESS_SOCKET", logs.output[0])
        agg = Aggregator().start()
        try:
            pidless.configure(socket=agg.socket)
            self.assertTrue(pidless.flush(timeout=PATIENCE))
            self.assertEqual(agg.value("api_down_total"), 6.0)
            self.assertEqual(agg.value("api_down_seconds_count"), 3.0)
            self.assertEqual(agg.value("api_down_seconds_sum"), 1.5)
        finally:
            agg.close()

    def test_overflowing_increments_are_dropped_with_a_warning_not_raised(self):
        v = values.CounterValue(series.Series(protocol.COUNTER, 0, "api_big_total", "x", (), ()))
        v.inc(1.5e308)
        v.inc(1.5e308)
        with self.assertLogs("pidless", logging.WARNING) as logs:
            self.assertIsNone(v.take())
        self.assertIn("overflowed", logs.output[0])


if __name__ == "__main__":
    unittest.main()
