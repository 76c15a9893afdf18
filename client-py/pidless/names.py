"""Name rules of docs/PROTOCOL.md ("Names"), checked when a metric is defined.

A bad name is a programming error, so it raises ``ValueError`` at definition time, naming the bad
value and the rule, instead of being rejected later by the aggregator where nobody looks.

>>> check_metric_name("etl_records_total")
>>> check_metric_name("etl-records")
Traceback (most recent call last):
...
ValueError: Invalid metric name: 'etl-records' (must match [a-zA-Z_:][a-zA-Z0-9_:]*)
"""
from __future__ import annotations

import re

from . import protocol
from .protocol import MAX_HELP_BYTES, RESERVED_PREFIX

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_RESERVED_LABEL = {protocol.HISTOGRAM: "le", protocol.SUMMARY: "quantile"}


def check_metric_name(name: str) -> None:
    if not isinstance(name, str) or not _METRIC_NAME.match(name):
        raise ValueError("Invalid metric name: %r (must match [a-zA-Z_:][a-zA-Z0-9_:]*)" % (name,))
    if name.startswith(RESERVED_PREFIX):
        raise ValueError("Invalid metric name: %r (the %s prefix is reserved for the aggregator's "
                         "own metrics; choose another prefix)" % (name, RESERVED_PREFIX))


def check_label_names(labelnames: tuple, metric_type: int) -> None:
    seen = set()
    for label in labelnames:
        if not isinstance(label, str) or not _LABEL_NAME.match(label) or label.startswith("__"):
            raise ValueError("Invalid label name: %r (must match [a-zA-Z_][a-zA-Z0-9_]* and not "
                             "start with __)" % (label,))
        if label == _RESERVED_LABEL.get(metric_type):
            raise ValueError("Invalid label name: %r is reserved for %s series"
                             % (label, protocol.TYPE_NAMES[metric_type]))
        if label in seen:
            raise ValueError("Invalid label names: %r appears twice" % (label,))
        seen.add(label)


def check_help(documentation: str) -> None:
    if not isinstance(documentation, str):
        raise ValueError("Invalid help text: %r (must be a str)" % (documentation,))
    if len(documentation.encode("utf-8")) > MAX_HELP_BYTES:
        raise ValueError("Invalid help text: %d bytes of UTF-8, at most %d are allowed"
                         % (len(documentation.encode("utf-8")), MAX_HELP_BYTES))


def family_name(name: str, metric_type: int) -> str:
    """The aggregator's family key: a counter's name without its ``_total`` suffix."""
    if metric_type == protocol.COUNTER and name.endswith("_total") and len(name) > len("_total"):
        return name[:-len("_total")]
    return name
