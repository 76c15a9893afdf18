"""The aggregator stopped, killed and restarted while workers run.

docs/PROTOCOL.md promises: each batch is applied at most once, and exactly once when the client
reconnects in time; a gracefully restarted aggregator restores its series from its state file, a
killed one starts from empty, and re-sent un-acknowledged batches are applied in the new lifetime. SIGSTOP makes the interesting
moments deterministic: a batch written to a stopped aggregator is surely neither applied nor
acknowledged until SIGCONT, and is lost with the process on SIGKILL.

A series the aggregator rejected is rejected for that connection only: after a restart it is
defined again, and arrives once the cause (here ``--max-series``) is fixed.
"""
from __future__ import annotations

import glob
import logging
import multiprocessing
import signal
import unittest

import pidless
from pidless import protocol
from pidless.config import Config
from pidless.delivery import Delivery
from pidless.series import Series
from pidless.values import CounterValue

from aggregator import PATIENCE, AggregatorTestCase
from waiting import await_value

SENT = pidless.Counter("rs_sent_total", "Increments per worker", ["worker"])
LIVE = pidless.Gauge("rs_live", "Each worker's current value (livesum)")

_FORK = multiprocessing.get_context("fork")


def _serve(conn, index: int) -> None:
    """A worker run by remote control: ("inc", n), ("set", v), ("flush", timeout), ("exit", _)."""
    counter = SENT.labels(str(index))
    while True:
        command, arg = conn.recv()
        if command == "inc":
            counter.inc(arg)
            conn.send(None)
        elif command == "set":
            LIVE.set(arg)
            conn.send(None)
        elif command == "flush":
            conn.send(pidless.flush(timeout=arg))
        else:
            conn.send(None)
            return


class Worker:
    def __init__(self, index: int) -> None:
        self.index = index
        self._conn, child = _FORK.Pipe()
        self._proc = _FORK.Process(target=_serve, args=(child, index), daemon=True)
        self._proc.start()

    def call(self, command: str, arg=None):
        self._conn.send((command, arg))
        if not self._conn.poll(2 * PATIENCE):
            raise AssertionError("worker %d did not answer %s" % (self.index, command))
        return self._conn.recv()

    def close(self) -> None:
        if self._proc.is_alive():
            self.call("exit")
        self._proc.join(30)
        self._conn.close()


def _thread_states(pid: int) -> list:
    """The state letter of each thread of ``pid`` (T: stopped); a thread that ended is left out."""
    states = []
    for stat in glob.glob("/proc/%d/task/*/stat" % pid):
        try:
            with open(stat) as f:
                states.append(f.read().rsplit(")", 1)[1].split()[0])
        except OSError:
            continue
    return states


def _wait_stopped(pid: int) -> None:
    await_value("aggregator %d stopped" % pid, lambda: _thread_states(pid),
                lambda states: states and all(s in ("T", "t") for s in states))


class RestartTest(AggregatorTestCase):
    def setUp(self):
        super().setUp()
        self.workers = []

    def tearDown(self):
        for w in self.workers:
            w.close()

    def _start_workers(self, n: int, flush_interval: float) -> None:
        pidless.configure(socket=self.agg.socket, flush_interval=flush_interval)
        self.workers = [Worker(i) for i in range(n)]

    def _all(self, command: str, arg=None) -> list:
        return [w.call(command, arg) for w in self.workers]

    def test_flush_and_task_end_reconnect_after_a_graceful_restart(self):
        # Found by test-cluster: a waited-on flush gave up at the first write to the connection
        # the old aggregator had closed, and os._exit after instrument then lost the deltas.
        self._start_workers(1, flush_interval=3600)
        self.workers[0].call("inc", 1)
        self.assertTrue(self.workers[0].call("flush", PATIENCE))
        self.assertEqual(self.agg.stop(), 0)
        self.agg.start()
        self.workers[0].call("inc", 2)
        self.assertTrue(self.workers[0].call("flush", PATIENCE), "the flush reconnects and is ACKed")
        self.assertEqual(self.agg.value("rs_sent_total", worker="0"), 3.0,
                         "1 restored from the state file, 2 sent after the restart, each once")

    def test_killed_and_restarted_aggregator_gets_every_unacknowledged_delta_once(self):
        self._start_workers(4, flush_interval=0.1)   # flusher threads race the explicit flushes
        for w in self.workers:
            w.call("inc", 10 + w.index)
            w.call("set", w.index + 1)
        self.assertEqual(self._all("flush", PATIENCE), [True] * 4)
        self.assertEqual(self.agg.value("rs_sent_total", worker="3"), 13.0)
        self.assertEqual(self.agg.value("rs_live"), 10.0)

        self.agg.signal(signal.SIGSTOP)
        _wait_stopped(self.agg.proc.pid)
        for w in self.workers:
            w.call("inc", 100 * (w.index + 1))   # written to the stopped aggregator, never applied
        self.assertEqual(self._all("flush", 0.5), [False] * 4)
        self.agg.kill()
        self._all("inc", 1000)                   # while nothing listens
        self.assertEqual(self._all("flush", 0.2), [False] * 4)

        self.agg.start()                         # same socket, new instance, empty state
        self._all("inc", 5000)
        self.assertEqual(self._all("flush", PATIENCE), [True] * 4)
        # What the old instance acknowledged died with it; everything else arrives exactly once.
        for w in self.workers:
            self.assertEqual(self.agg.value("rs_sent_total", worker=str(w.index)),
                             100 * (w.index + 1) + 1000 + 5000)
        self.assertEqual(self.agg.value("rs_live"), 10.0)   # live values re-sent on reconnect
        for w in self.workers:
            w.close()
        self.assertEqual(self.agg.wait_for("rs_live", 0.0), 0.0)

    def test_batch_whose_ack_was_lost_is_applied_once(self):
        self._start_workers(1, flush_interval=60)
        w = self.workers[0]
        w.call("inc", 7)
        self.assertTrue(w.call("flush", PATIENCE))
        self.agg.signal(signal.SIGSTOP)
        _wait_stopped(self.agg.proc.pid)
        w.call("inc", 100)
        self.assertFalse(w.call("flush", 0.5))   # sent, no ACK: the client drops the connection
        self.agg.signal(signal.SIGCONT)          # now the aggregator reads and applies it
        self.assertTrue(w.call("flush", PATIENCE))     # reconnect: settled, so not applied again
        self.assertEqual(self.agg.value("rs_sent_total", worker="0"), 107.0)


class RejectedSeriesTest(AggregatorTestCase):
    """A Delivery of its own, flushed as pidless.flush does: series that other tests left in this
    process's registry would take places under --max-series 2."""

    flags = ("--max-series", "2")

    def setUp(self):
        super().setUp()
        self.values = []
        self.delivery = Delivery(lambda: list(self.values),
                                 Config({"PIDLESS_SOCKET": self.agg.socket}))

    def tearDown(self):
        self.delivery.disconnect()

    def _counter(self, name: str) -> CounterValue:
        value = CounterValue(Series(protocol.COUNTER, 0, name, "A counter", (), ()))
        self.values.append(value)
        return value

    def _inc_and_flush(self, counters: list, amounts: tuple) -> dict:
        for counter, amount in zip(counters, amounts):
            counter.inc(amount)
        self.assertTrue(self.delivery.flush(timeout=PATIENCE, retry=True))
        return self.agg.scrape()

    def _restart(self, *flags: str) -> None:
        """A graceful restart: the state file keeps the series, the client must reconnect."""
        self.assertEqual(self.agg.stop(), 0)
        self.agg.start(*flags)

    def _fill_the_limit_then_add_a_third(self, prefix: str, a: float, b: float) -> list:
        """Counters ``<prefix>_a_total`` and ``_b_total``, given ``a`` and ``b`` and flushed, then
        ``_c_total``: the one over --max-series 2."""
        counters = [self._counter("%s_%s_total" % (prefix, n)) for n in ("a", "b")]
        self._inc_and_flush(counters, (a, b))
        return counters + [self._counter(prefix + "_c_total")]

    def test_series_rejected_at_the_limit_arrives_after_a_restart_with_room(self):
        series_limit = ("pidless_rejections_total", frozenset({("reason", "series_limit")}))
        dropped = ("pidless_deltas_dropped_total", frozenset({("reason", "rejected_series")}))
        with self.assertLogs("pidless", logging.WARNING) as logs:
            counters = self._fill_the_limit_then_add_a_third("rj", 1, 2)
            s = self._inc_and_flush(counters, (10, 20, 4))
            self.assertEqual((s[("rj_a_total", frozenset())], s[("rj_b_total", frozenset())]),
                             (11.0, 22.0))
            self.assertNotIn(("rj_c_total", frozenset()), s, "c is over --max-series 2")
            self.assertEqual((s[series_limit], s[dropped]), (1.0, 1.0),
                             "rejected once; its +4 was sent with the DEFINE and dropped there")

            s = self._inc_and_flush(counters, (100, 200, 40))
            self.assertEqual((s[("rj_a_total", frozenset())], s[("rj_b_total", frozenset())]),
                             (111.0, 222.0))
            self.assertNotIn(("rj_c_total", frozenset()), s)
            self.assertEqual((s[series_limit], s[dropped]), (1.0, 1.0),
                             "on the connection that rejected it, its +40 is not even sent")

            self._restart("--max-series", "10")
            s = self._inc_and_flush(counters, (1000, 2000, 400))
        self.assertEqual([s[("rj_%s_total" % n, frozenset())] for n in ("a", "b", "c")],
                         [1111.0, 2222.0, 400.0],
                         "a and b: 111 and 222 restored from the state file, plus this flush; "
                         "c: only the +400 made after the restart, defined again on the new "
                         "connection")
        rejections = [line for line in logs.output if "rejected series" in line]
        self.assertEqual(len(rejections), 1, logs.output)
        self.assertIn("rejected series rj_c_total (SERIES_LIMIT", rejections[0])

    def test_rejection_is_logged_again_only_after_the_series_was_accepted(self):
        with self.assertLogs("pidless", logging.WARNING) as logs:
            counters = self._fill_the_limit_then_add_a_third("rl", 1, 1)
            self._inc_and_flush(counters, (0, 0, 1))        # c rejected: logged
            self._restart("--max-series", "2")              # a and b restored: c rejected again
            self._inc_and_flush(counters, (1, 1, 1))
            self._restart("--max-series", "10")
            self._inc_and_flush(counters, (0, 0, 1))        # c accepted
            self.agg.kill()                                  # a crash: nothing restored
            self.agg.start("--max-series", "2")
            self._inc_and_flush(counters, (1, 1))           # defines a and b: c has no delta yet
            s = self._inc_and_flush(counters, (0, 0, 1))    # c rejected after it was accepted
        self.assertEqual((s[("rl_a_total", frozenset())], s.get(("rl_c_total", frozenset()))),
                         (1.0, None))
        rejections = [line for line in logs.output if "rejected series rl_c_total" in line]
        self.assertEqual(len(rejections), 2, logs.output)

if __name__ == "__main__":
    unittest.main()
