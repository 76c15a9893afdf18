"""What the aggregator needs to know about one series, and the gauge merge modes.

>>> s = Series(wire.COUNTER, 0, "etl_records_total", "Records", (("stage", "parse"),), ())
>>> str(s)
'etl_records_total{stage="parse"}'
>>> gauge_mode("mostrecent")
7
"""
from __future__ import annotations

from . import wire

# docs/PROTOCOL.md, "Gauge modes". "mostrecent" is prometheus_client's name for "last".
GAUGE_MODES = {"sum": 1, "livesum": 2, "livemax": 3, "livemin": 4, "max": 5, "min": 6, "last": 7,
               "mostrecent": 7}
LIVE_MODES = frozenset((2, 3, 4))


def gauge_mode(name: str) -> int:
    try:
        return GAUGE_MODES[name]
    except (KeyError, TypeError):
        raise ValueError("Invalid multiprocess_mode: %r (expected one of %s)"
                         % (name, ", ".join(sorted(GAUGE_MODES)))) from None


class Series:
    """One metric name plus one label set."""

    __slots__ = ("type", "mode", "name", "help", "labels", "bounds", "live")

    def __init__(self, metric_type: int, mode: int, name: str, help_text: str, labels: tuple,
                 bounds: tuple) -> None:
        self.type = metric_type
        self.mode = mode
        self.name = name
        self.help = help_text
        self.labels = labels
        self.bounds = bounds
        self.live = mode in LIVE_MODES

    def define_frame(self, series_id: int) -> bytes:
        return wire.define(series_id, self.type, self.mode, self.name, self.help, self.labels,
                           self.bounds)

    def __str__(self) -> str:
        if not self.labels:
            return self.name
        return "%s{%s}" % (self.name, ",".join('%s="%s"' % kv for kv in self.labels))
