"""In-process delivery against the real aggregator: every type, every gauge mode, the helpers,
and the aggregator's ERROR answers."""
from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
import unittest

import pidless
from pidless import protocol, wire
from pidless.config import Config
from pidless.delivery import Delivery
from pidless.series import Series
from pidless.values import CounterValue

from aggregator import PATIENCE, REPO, AggregatorTestCase
from waiting import await_value


class DeliveryTestCase(AggregatorTestCase):
    def setUp(self):
        super().setUp()
        pidless.configure(socket=self.agg.socket, flush_interval=60, exit_timeout=PATIENCE)


class TypesTest(DeliveryTestCase):
    def test_every_type_arrives_exactly(self):
        records = pidless.Counter("dl_records_total", "Records", ["stage"])
        latency = pidless.Histogram("dl_parse_seconds", "Parse", buckets=(.25, 1))
        sizes = pidless.Summary("sizes", "Sizes", namespace="dl", unit="bytes")
        for _ in range(1000):
            records.labels(stage="parse").inc()
        records.labels("load").inc(2.5)
        for v in (0.125, 0.5, 0.5, 4):
            latency.observe(v)
        sizes.observe(100)
        sizes.observe(28)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        records.labels(stage="parse").inc(24)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        s = self.agg.scrape()
        self.assertEqual(s[("dl_records_total", frozenset({("stage", "parse")}))], 1024.0)
        self.assertEqual(s[("dl_records_total", frozenset({("stage", "load")}))], 2.5)
        self.assertEqual(s[("dl_parse_seconds_bucket", frozenset({("le", "0.25")}))], 1.0)
        self.assertEqual(s[("dl_parse_seconds_bucket", frozenset({("le", "1.0")}))], 3.0)
        self.assertEqual(s[("dl_parse_seconds_bucket", frozenset({("le", "+Inf")}))], 4.0)
        self.assertEqual(s[("dl_parse_seconds_sum", frozenset())], 5.125)
        self.assertEqual(s[("dl_sizes_bytes_count", frozenset())], 2.0)
        self.assertEqual(s[("dl_sizes_bytes_sum", frozenset())], 128.0)

    def test_threads_and_the_flusher_racing_on_one_series_lose_nothing(self):
        hits = pidless.Counter("dl_threads_total", "Hits")
        pidless.configure(flush_interval=0.01)   # the flusher takes deltas while threads add

        def hammer():
            for _ in range(25000):
                hits.inc()

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        pidless.configure(flush_interval=60)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_threads_total"), 100000.0)

    def test_gauge_modes(self):
        live = pidless.Gauge("dl_inflight", "Default mode is livesum")
        total = pidless.Gauge("dl_queue_delta", "Signed changes", multiprocess_mode="sum")
        peak = pidless.Gauge("dl_peak", "Max ever", multiprocess_mode="max")
        last = pidless.Gauge("dl_last", "Most recent", multiprocess_mode="mostrecent")
        live.inc(3)
        live.dec()
        total.inc(10)
        total.dec(4)
        total.set(2)      # this process's contribution becomes 2
        low = pidless.Gauge("dl_low", "Min ever", multiprocess_mode="min")
        peak.set(7)
        peak.set(5)
        low.set(-1)
        low.inc(3)
        last.set(7)
        last.set(5)
        stamp = pidless.Gauge("dl_stamp_seconds", "When", multiprocess_mode="last")
        before = time.time()
        stamp.set_to_current_time()
        after = time.time()
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_inflight"), 2.0)
        self.assertEqual(self.agg.value("dl_queue_delta"), 2.0)
        self.assertEqual(self.agg.value("dl_peak"), 7.0)
        self.assertEqual(self.agg.value("dl_low"), -1.0)
        self.assertEqual(self.agg.value("dl_last"), 5.0)
        self.assertTrue(before <= self.agg.value("dl_stamp_seconds") <= after)

    def test_sum_gauge_set_replaces_this_process_contribution(self):
        # docs/PROTOCOL.md, "Gauge modes": set(v) sends v minus the previous contribution.
        level = pidless.Gauge("dl_sum_level", "Level", multiprocess_mode="sum")
        level.inc(10)
        level.set(3)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_sum_level"), 3.0)
        level.set(-1)
        level.inc(2)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_sum_level"), 1.0)

    def test_helpers_time_count_exceptions_and_track_inprogress(self):
        errors = pidless.Counter("dl_errors_total", "Errors", ["kind"])
        busy = pidless.Gauge("dl_busy", "Busy")
        took = pidless.Histogram("dl_took_seconds", "Took", buckets=(60,))
        slowest = pidless.Gauge("dl_slowest_seconds", "Slowest", multiprocess_mode="max")

        value_errors = errors.labels("value")

        @value_errors.count_exceptions(ValueError)
        @took.time()
        def work(fail):
            if fail:
                raise ValueError("bad row")

        for fail in (True, False, True):
            with self.assertRaises(ValueError):
                work(fail)
                raise ValueError("not counted: outside the decorated function")
        with busy.track_inprogress(), slowest.time():
            self.assertTrue(pidless.flush(timeout=PATIENCE))
            self.assertEqual(self.agg.value("dl_busy"), 1.0)
        self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_errors_total", kind="value"), 2.0)
        self.assertEqual(self.agg.value("dl_took_seconds_count"), 3.0)
        self.assertEqual(self.agg.value("dl_took_seconds_bucket", le="60.0"), 3.0)
        self.assertEqual(self.agg.value("dl_busy"), 0.0)
        self.assertGreater(self.agg.value("dl_slowest_seconds"), 0.0)

    def test_spark_helpers_flush_at_the_end_of_a_partition(self):
        rows = pidless.Counter("dl_partition_rows_total", "Rows")

        @pidless.spark.instrument
        def parse(it):
            for row in it:
                rows.inc()
                yield row * 2

        self.assertEqual(list(parse(iter(range(5)))), [0, 2, 4, 6, 8])
        self.assertEqual(self.agg.value("dl_partition_rows_total"), 5.0)
        with pidless.spark.flush_on_task_end():
            rows.inc(10)
        self.assertEqual(self.agg.value("dl_partition_rows_total"), 15.0)
        conf = pidless.spark.executor_conf()
        self.assertEqual(conf["spark.executorEnv.PIDLESS_SOCKET"], self.agg.socket)
        self.assertEqual(conf["spark.executorEnv.PIDLESS_FLUSH_INTERVAL"], "60.0")


PREVIOUS_HANDLER_SCRIPT = """
import os, signal, sys, time
def previous(signum, frame):
    sys.exit(7)
signal.signal(signal.SIGTERM, previous)   # the application's handler, installed first
import pidless
pidless.Counter("dl_sigterm_total", "x").inc(3)
print("ready", flush=True)
time.sleep(60)
"""


class SigtermTest(DeliveryTestCase):
    def test_sigterm_flushes_then_runs_the_previous_handler(self):
        env = dict(PIDLESS_SOCKET=self.agg.socket, PIDLESS_FLUSH_INTERVAL="60",
                   PIDLESS_EXIT_TIMEOUT=str(PATIENCE), PYTHONPATH=REPO + "/client-py")
        proc = subprocess.Popen([sys.executable, "-c", PREVIOUS_HANDLER_SCRIPT], env=env,
                                stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline(), "ready\n")
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(3 * PATIENCE), 7)
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        self.assertEqual(self.agg.value("dl_sigterm_total"), 3.0)


class AggregatorErrorsTest(DeliveryTestCase):
    def test_rejected_definition_is_logged_once_and_the_rest_still_arrives(self):
        # Another process defines the family first, as a counter.
        subprocess.run([sys.executable, "-c",
                        "import pidless; pidless.Counter('dl_clash', 'first').inc(); "
                        "assert pidless.flush(%r)" % PATIENCE],
                       cwd=REPO + "/client-py", check=True, timeout=3 * PATIENCE,
                       env={"PIDLESS_SOCKET": self.agg.socket, "PATH": "/usr/bin:/bin"})
        clash = pidless.Gauge("dl_clash", "second, as a gauge")
        fine = pidless.Counter("dl_fine_total", "Unaffected")
        clash.set(3)
        fine.inc()
        with self.assertLogs("pidless", logging.WARNING) as logs:
            self.assertTrue(pidless.flush(timeout=PATIENCE))
            clash.set(4)
            fine.inc()
            self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("rejected series dl_clash (TYPE_CLASH", logs.output[0])
        self.assertEqual(self.agg.value("dl_clash_total"), 1.0)
        self.assertEqual(self.agg.value("dl_fine_total"), 2.0)

    def test_rejected_batch_is_dropped_and_logged(self):
        bad = CounterValue(Series(protocol.COUNTER, 0, "dl_bad_total", "x", (), ()))
        good = CounterValue(Series(protocol.COUNTER, 0, "dl_good_total", "x", (), ()))
        config = Config({"PIDLESS_SOCKET": self.agg.socket})
        delivery = Delivery(lambda: [bad, good], config)
        bad._pending = -1.0   # what inc() refuses; the aggregator must refuse it too
        good.inc(5)
        with self.assertLogs("pidless", logging.WARNING) as logs:
            self.assertTrue(delivery.flush(timeout=PATIENCE))
        self.assertIn("rejected batch 1 (INVALID_VALUE", logs.output[0])
        good.inc(7)
        self.assertTrue(delivery.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_good_total"), 7.0)
        self.assertEqual(self.agg.value("dl_bad_total"), 0.0)  # defined, nothing applied
        delivery.disconnect()


class SessionLimitTest(DeliveryTestCase):
    flags = ("--max-sessions", "1")

    def test_a_full_session_table_is_retried_after_a_backoff_and_nothing_is_lost(self):
        import os
        import socket as sockets
        holder = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
        holder.connect(self.agg.socket)
        holder.sendall(wire.hello(os.urandom(16), "holder"))
        holder.recv(64)  # HELLO_OK: the table's one place is taken while this stays open
        counter = CounterValue(Series(protocol.COUNTER, 0, "dl_waited_total", "x", (), ()))
        delivery = Delivery(lambda: [counter], Config({"PIDLESS_SOCKET": self.agg.socket}))
        counter.inc(3)
        result = []
        flusher = threading.Thread(target=lambda: result.append(delivery.flush(timeout=PATIENCE, retry=True)))
        with self.assertLogs("pidless", logging.WARNING) as logs:
            flusher.start()
            await_value("the flush refused a session",
                        lambda: self.agg.value("pidless_protocol_errors_total", code="session_limit"),
                        bool, PATIENCE)
            holder.close()  # settled nothing: forgotten at once, and the place is free
            flusher.join(PATIENCE)
        self.assertEqual(result, [True])
        self.assertIn("SESSION_LIMIT", "".join(logs.output))
        self.assertNotIn("bug in pidless-py", "".join(logs.output))
        self.assertEqual(self.agg.value("dl_waited_total"), 3.0)
        delivery.disconnect()


class SmallFrameTest(DeliveryTestCase):
    """docs/PROTOCOL.md, "A session, step by step": frames fit the aggregator's max_frame_bytes."""
    flags = ("--max-frame-bytes", "1024")   # the smallest the aggregator accepts

    def test_many_series_fit_and_a_definition_too_long_is_not_sent(self):
        records = pidless.Counter("dl_small_frames_total", "Records", ["worker"])
        too_long = pidless.Counter("dl_long_help_total", "x" * 1024)
        for i in range(400):
            records.labels("w%03d" % i).inc(i + 1)
        too_long.inc(5)
        with self.assertLogs("pidless", logging.WARNING) as logs:
            self.assertTrue(pidless.flush(timeout=PATIENCE))
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("dl_long_help_total is not sent to the aggregator", logs.output[0])
        self.assertIn("--max-frame-bytes 1024", logs.output[0])
        s = self.agg.scrape()
        for i in range(400):
            self.assertEqual(s[("dl_small_frames_total", frozenset({("worker", "w%03d" % i)}))], i + 1.0)
        self.assertNotIn(("dl_long_help_total", frozenset()), s)
        self.assertGreaterEqual(s[("pidless_acks_sent_total", frozenset({("outcome", "applied")}))], 8)
        for (name, labels), v in s.items():
            if name in ("pidless_protocol_errors_total", "pidless_rejections_total"):
                self.assertEqual(v, 0.0, (name, labels))


class IdleCloseTest(AggregatorTestCase):
    """docs/PROTOCOL.md, "Idle close": the aggregator closes a connection that sent nothing for
    --idle-timeout; the client reconnects at its next flush, exactly, without a warning. Its own
    Delivery: the module's, shared by the other tests, holds their live gauges, and a connection
    holding a live value is never idle-closed."""
    flags = ("--idle-timeout", "1s", "--frame-timeout", "500ms")

    def test_an_idle_close_is_reconnected_quietly_and_nothing_is_lost(self):
        jobs = CounterValue(Series(protocol.COUNTER, 0, "dl_idle_jobs_total", "Jobs", (), ()))
        delivery = Delivery(lambda: [jobs], Config({"PIDLESS_SOCKET": self.agg.socket}))
        jobs.inc(3)
        self.assertTrue(delivery.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.wait_for("pidless_connections_closed_total", 1.0, reason="idle_timeout"), 1.0)
        jobs.inc(4)
        with self.assertNoLogs("pidless", level=logging.WARNING):
            self.assertTrue(delivery.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("dl_idle_jobs_total"), 7.0)
        delivery.disconnect()


if __name__ == "__main__":
    unittest.main()

