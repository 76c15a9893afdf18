"""Runs the real aggregator jar on a temporary socket and scrapes its /metrics.

The jar comes from ``PIDLESS_AGGREGATOR_JAR``, else ``<repo>/aggregator/target/pidless-aggregator.jar``.

    agg = Aggregator()
    agg.start()
    ...
    agg.value("etl_records_total", stage="parse")   # the scraped sample, or None
    agg.stop()
"""
from __future__ import annotations

import atexit
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

from waiting import await_value

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.environ.get("PIDLESS_AGGREGATOR_JAR") or os.path.join(
    REPO, "aggregator", "target", "pidless-aggregator.jar")
START_TIMEOUT = 30.0
# How long tests let a flush wait for its ACK: generous, because the test machine may be shared
# and loaded; a flush that succeeds returns at once.
PATIENCE = 60.0

_LISTENING = re.compile(r"metrics at (http://[^/\s]+/metrics)")
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_text_format(text: str) -> dict:
    """Samples of a Prometheus text 0.0.4 page as {(name, frozenset of (label, value)): float}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise AssertionError("unparsable /metrics line: %r" % line)
        labels = frozenset(
            (k, v.replace(r"\"", '"').replace(r"\n", "\n").replace("\\\\", "\\"))
            for k, v in _LABEL.findall(m.group(2) or ""))
        samples[(m.group(1), labels)] = float(m.group(3))
    return samples


_snapshot = []


def _jar_snapshot() -> str:
    """A private copy of the jar, so that a rebuild during the run cannot break a running JVM."""
    if not _snapshot:
        if not os.path.isfile(JAR):
            raise RuntimeError("aggregator jar not found at %s: build it with `mvn -pl aggregator "
                               "package` or set PIDLESS_AGGREGATOR_JAR" % JAR)
        tmp = tempfile.mkdtemp(prefix="pljar")
        atexit.register(shutil.rmtree, tmp, True)
        copy = os.path.join(tmp, "pidless-aggregator.jar")
        shutil.copyfile(JAR, copy)
        _snapshot.append(copy)
    return _snapshot[0]


class Aggregator:
    def __init__(self, *flags: str) -> None:
        self._jar = _jar_snapshot()
        self._dir = tempfile.mkdtemp(prefix="pl", dir="/tmp")
        self.socket = os.path.join(self._dir, "p.sock")
        self._flags = flags
        self.proc = None
        self.url = None
        self.log = []

    def start(self, *flags: str) -> "Aggregator":
        """Starts (or restarts, on the same socket) and waits for the "metrics at" line.

        ``flags``, when given, replace the constructor's from this start on:
        ``agg.start("--max-series", "10")`` restarts with a higher limit.
        """
        self._release()
        if flags:
            self._flags = flags
        self.proc = subprocess.Popen(
            ["java", "-XX:TieredStopAtLevel=1", "-Xmx128m", "-jar", self._jar, "--socket", self.socket,
             "--listen", "127.0.0.1:0", "--jvm-metrics", "false", "--io-threads", "2"]
            + list(self._flags), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        self._pump_thread = threading.Thread(target=self._pump, args=(self.proc, lines), daemon=True)
        self._pump_thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                line = None
            if line is None:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("aggregator did not start: %s" % "".join(self.log))
            m = _LISTENING.search(line)
            if m:
                self.url = m.group(1)
                return self

    def _pump(self, proc, lines: queue.Queue) -> None:
        for line in proc.stderr:
            self.log.append(line)
            lines.put(line)
        lines.put(None)

    def scrape(self) -> dict:
        with urllib.request.urlopen(self.url, timeout=10) as response:
            return parse_text_format(response.read().decode("utf-8"))

    def value(self, name: str, **labels):
        return self.scrape().get((name, frozenset(labels.items())))

    def samples(self, name: str, **labels) -> dict:
        """Every sample of ``name`` whose labels include ``labels``: {frozenset of labels: value}."""
        wanted = set(labels.items())
        return {key: value for (sample, key), value in self.scrape().items()
                if sample == name and wanted <= key}

    def wait_for(self, name: str, expected: float, timeout: float = 30.0, **labels):
        """Scrapes until the sample equals ``expected`` and returns it; fails after ``timeout`` seconds."""
        return await_value("%s%s == %r" % (name, labels or "", expected),
                           lambda: self.value(name, **labels), lambda got: got == expected, timeout)

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> int:
        """SIGTERM, then the exit code (0 on a graceful stop)."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def close(self) -> None:
        self.stop()
        self._release()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _release(self) -> None:
        """Closes the pipe of an ended process once its last line has been read."""
        if self.proc is not None and self.proc.poll() is not None and not self.proc.stderr.closed:
            self._pump_thread.join(10)
            self.proc.stderr.close()


class AggregatorTestCase(unittest.TestCase):
    """A real aggregator per test, started with ``flags`` on its own socket; the test fails unless it
    stops cleanly (exit 0) afterwards. Subclasses extend ``setUp`` through ``super()``."""

    flags: tuple = ()

    def setUp(self) -> None:
        self.agg = Aggregator(*self.flags).start()
        self.addCleanup(self._stop_aggregator)

    def _stop_aggregator(self) -> None:
        self.assertEqual(self.agg.stop(), 0, "".join(self.agg.log))
        self.agg.close()
