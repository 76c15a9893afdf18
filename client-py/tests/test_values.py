"""Pending state under threads: take() racing inc() never loses or doubles a delta.

Without the per-series lock this fails on CPython 3.8 (the flusher's take() lands between an
inc()'s load and store, and the increment is sent twice); inc() by 1 takes a lock-free path
(pidless/values.py), covered by the first test.
"""
from __future__ import annotations

import unittest

from pidless import protocol
from pidless.series import Series
from pidless.values import CounterValue, HistogramValue
from races import race

THREADS = 4
PER_THREAD = 50000


def _race(value, work, add_taken) -> None:
    race(lambda: [work() for _ in range(PER_THREAD)], THREADS, lambda: add_taken(value.take()))
    add_taken(value.take())


class TakeRacesIncTest(unittest.TestCase):
    def test_counter_deltas_sum_to_every_increment(self):
        counter = CounterValue(Series(protocol.COUNTER, 0, "race_total", "x", (), ()))
        taken = []
        _race(counter, counter.inc, lambda d: taken.append(d or 0.0))
        self.assertEqual(sum(taken), THREADS * PER_THREAD)

    def test_counter_deltas_of_other_amounts_sum_to_every_increment(self):
        counter = CounterValue(Series(protocol.COUNTER, 0, "race_total", "x", (), ()))
        taken = []
        _race(counter, lambda: counter.inc(2), lambda d: taken.append(d or 0.0))
        self.assertEqual(sum(taken), 2 * THREADS * PER_THREAD)

    def test_histogram_deltas_sum_to_every_observation(self):
        histogram = HistogramValue(Series(protocol.HISTOGRAM, 0, "race_seconds", "x", (), (1.0,)))
        buckets, total = [0, 0], [0.0]

        def add(delta):
            if delta is not None:
                buckets[0] += delta[0][0]
                buckets[1] += delta[0][1]
                total[0] += delta[1]

        _race(histogram, lambda: histogram.observe(0.5), add)
        self.assertEqual(buckets, [THREADS * PER_THREAD, 0])
        self.assertEqual(total[0], 0.5 * THREADS * PER_THREAD)


if __name__ == "__main__":
    unittest.main()
