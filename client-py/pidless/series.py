"""What the aggregator needs to know about one series, and the gauge merge modes.

>>> s = Series(protocol.COUNTER, 0, "etl_records_total", "Records", (("stage", "parse"),), ())
>>> str(s)
'etl_records_total{stage="parse"}'
>>> gauge_mode("mostrecent")
7
"""
from __future__ import annotations

from . import protocol, wire

# The gauge modes a user may name: the protocol's, and "mostrecent" (prometheus_client's "last").
MODE_NAMES = dict(protocol.GAUGE_MODES, mostrecent=protocol.GAUGE_MODES["last"])


def gauge_mode(name: str) -> int:
    try:
        return MODE_NAMES[name]
    except (KeyError, TypeError):
        raise ValueError("Invalid multiprocess_mode: %r (expected one of %s)"
                         % (name, ", ".join(sorted(MODE_NAMES)))) from None


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
        self.live = mode in protocol.LIVE_MODES

    def define_frame(self, series_id: int) -> bytes:
        return wire.define(series_id, self.type, self.mode, self.name, self.help, self.labels,
                           self.bounds)

    def __str__(self) -> str:
        if not self.labels:
            return self.name
        return "%s{%s}" % (self.name, ",".join('%s="%s"' % kv for kv in self.labels))
