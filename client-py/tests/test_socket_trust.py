"""Which socket the client picks by default, and PIDLESS_AGGREGATOR_UID against the real aggregator
(docs/PROTOCOL.md, "Transport")."""
from __future__ import annotations

import logging
import os
import unittest

from pidless import protocol
from pidless.config import Config, default_socket
from pidless.delivery import Delivery
from pidless.series import Series
from pidless.values import CounterValue

from aggregator import PATIENCE, AggregatorTestCase


class DefaultSocketTest(unittest.TestCase):
    def test_the_same_ordered_rule_as_the_aggregator(self):
        xdg = {"XDG_RUNTIME_DIR": "/run/user/1000"}
        self.assertEqual(default_socket({"PIDLESS_SOCKET": "/x/p.sock"}, 0), "/x/p.sock")
        self.assertEqual(default_socket(xdg, 0), "/run/pidless/pidless.sock")
        self.assertEqual(default_socket(xdg, 1000), "/run/user/1000/pidless/pidless.sock")
        self.assertEqual(default_socket({}, 1000), "/tmp/pidless/pidless.sock")
        self.assertEqual(default_socket({"XDG_RUNTIME_DIR": "relative", "PIDLESS_SOCKET": " "}, 1000),
                         "/tmp/pidless/pidless.sock")

    def test_config_uses_it_for_this_process(self):
        self.assertEqual(Config({}, uid=0).socket, "/run/pidless/pidless.sock")
        self.assertEqual(Config({"XDG_RUNTIME_DIR": "/run/user/7"}, uid=7).socket,
                         "/run/user/7/pidless/pidless.sock")
        self.assertEqual(Config({"XDG_RUNTIME_DIR": "/run/user/7"}).socket,
                         default_socket({"XDG_RUNTIME_DIR": "/run/user/7"}, os.geteuid()), "this process's uid")
        self.assertIsNone(Config({}).aggregator_uid)
        self.assertEqual(Config({"PIDLESS_AGGREGATOR_UID": " 10001 "}).aggregator_uid, "10001")


class AggregatorUidTest(AggregatorTestCase):
    def _delivery(self, required: str, name: str):
        value = CounterValue(Series(protocol.COUNTER, 0, name, "x", (), ()))
        config = Config({"PIDLESS_SOCKET": self.agg.socket, "PIDLESS_AGGREGATOR_UID": required})
        delivery = Delivery(lambda: [value], config)
        self.addCleanup(delivery.disconnect)
        return value, delivery

    def test_an_aggregator_of_another_uid_is_sent_nothing_and_logged_once(self):
        other = "65533" if os.geteuid() == 65534 else "65534"
        value, delivery = self._delivery(other, "uid_refused_total")
        value.inc(5)
        with self.assertLogs("pidless", logging.WARNING) as logs:
            self.assertFalse(delivery.flush(timeout=1.0))
            self.assertFalse(delivery.flush(timeout=1.0))
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("pidless: refusing the aggregator at %s: the process behind it runs as uid %d, not "
                      "uid %s as PIDLESS_AGGREGATOR_UID requires" % (self.agg.socket, os.geteuid(), other),
                      logs.output[0])
        self.assertIsNone(self.agg.value("uid_refused_total"))
        self.assertEqual(self.agg.value("pidless_frames_received_total", type="hello"), 0.0)

    def test_the_right_uid_delivers_exactly(self):
        value, delivery = self._delivery(str(os.geteuid()), "uid_accepted_total")
        value.inc(5)
        self.assertTrue(delivery.flush(timeout=PATIENCE))
        self.assertEqual(self.agg.value("uid_accepted_total"), 5.0)

    def test_a_value_that_is_not_a_uid_refuses_with_the_fix(self):
        value, delivery = self._delivery("pidless", "uid_named_total")
        value.inc(1)
        with self.assertLogs("pidless", logging.WARNING) as logs:
            self.assertFalse(delivery.flush(timeout=1.0))
        self.assertIn("PIDLESS_AGGREGATOR_UID=pidless is not a numeric uid", logs.output[0])
        self.assertIsNone(self.agg.value("uid_named_total"))


if __name__ == "__main__":
    unittest.main()
