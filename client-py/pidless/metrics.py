"""The user-facing metric types, modelled on prometheus_client.

A metric is a name, a help text and label names; ``labels(...)`` returns the series for one set of
label values (cached: keep it in a variable on hot paths). A metric without label names is its own
series. Everything a user can get wrong in a definition raises ``ValueError`` here, at definition
time; nothing raises later because the aggregator is unreachable.

>>> RECORDS = Counter("doc_records_total", "Records processed", ["stage"])
>>> parse = RECORDS.labels(stage="parse")
>>> parse.inc()
>>> RECORDS.labels("parse") is parse
True
"""
from __future__ import annotations

import math
import threading

from . import protocol
from .names import check_help, check_label_names, check_metric_name
from .protocol import GAUGE_MODES
from .runtime import RUNTIME
from .series import Series, gauge_mode
from .values import (AbsoluteGaugeValue, CounterValue, HistogramValue, PeakGaugeValue,
                     SumGaugeValue, SummaryValue)

INF = float("inf")
_GAUGE_VALUES = {GAUGE_MODES["sum"]: SumGaugeValue, GAUGE_MODES["max"]: PeakGaugeValue,
                 GAUGE_MODES["min"]: PeakGaugeValue}
DEFAULT_BUCKETS = (.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0, INF)


def _full_name(name: str, namespace: str, subsystem: str, unit: str) -> str:
    full = "_".join(part for part in (namespace, subsystem, name) if part)
    if unit and not full.endswith("_" + unit):
        full += "_" + unit
    return full


def _labelled_only(method: str):
    def call(self, *args, **kwargs):
        raise ValueError("%s has label names %s: call %s.labels(...).%s() to pick a series first"
                         % (self._name, list(self._labelnames), type(self).__name__, method))
    call.__name__ = method
    call.__doc__ = "On a metric without label names, the series' ``%s``; else ValueError." % method
    return call


class _Metric:
    _type = 0
    _methods = ()

    def __init__(self, name, documentation, labelnames, namespace, subsystem, unit,
                 mode=0, bounds=()) -> None:
        self._init_args = dict(name=name, documentation=documentation,
                               labelnames=labelnames, namespace=namespace, subsystem=subsystem,
                               unit=unit)
        self._name = _full_name(name, namespace, subsystem, unit)
        check_metric_name(self._name)
        check_help(documentation)
        if isinstance(labelnames, str) or not hasattr(labelnames, "__iter__"):
            raise ValueError("Invalid labelnames for %s: %r (expected a list or tuple of str)"
                             % (self._name, labelnames))
        self._labelnames = tuple(labelnames)
        check_label_names(self._labelnames, self._type)
        self._documentation = documentation
        self._mode = mode
        self._bounds = bounds
        self._children = {}
        self._lock = threading.Lock()
        RUNTIME.register(self)
        if not self._labelnames:
            series = self._child(())
            self._children.clear()  # so that labels() on it raises
            for method in self._methods:
                setattr(self, method, getattr(series, method))

    def labels(self, *labelvalues, **labelkwargs):
        """The series for these label values, given in order or by name.

        >>> c = Counter("doc_labels_total", "Docs", ["stage", "host"])
        >>> c.labels("parse", "a") is c.labels(host="a", stage="parse")
        True
        """
        if labelkwargs:
            if labelvalues or sorted(labelkwargs) != sorted(self._labelnames):
                raise ValueError("Incorrect label names for %s: got %s, expected %s"
                                 % (self._name, sorted(labelkwargs) + list(labelvalues),
                                    list(self._labelnames)))
            labelvalues = tuple(labelkwargs[n] for n in self._labelnames)
        child = self._children.get(labelvalues)
        if child is None:
            child = self._new_labels(labelvalues)
        return child

    def _new_labels(self, labelvalues: tuple):
        if not self._labelnames:
            raise ValueError("%s has no label names: use it without .labels()" % self._name)
        if len(labelvalues) != len(self._labelnames):
            raise ValueError("Incorrect label count for %s: expected %d values for %s, got %d"
                             % (self._name, len(self._labelnames), list(self._labelnames),
                                len(labelvalues)))
        key = tuple(str(v) for v in labelvalues)
        with self._lock:
            child = self._children.get(key) or self._child(key)
            self._children[labelvalues] = child
        return child

    def _child(self, key: tuple):
        series = Series(self._type, self._mode, self._name, self._documentation,
                        tuple(zip(self._labelnames, key)), self._bounds)
        value = self._value_class(series)
        self._children[key] = value
        RUNTIME.add_value(value)
        return value

    def __reduce__(self):
        # Spark pickles functions defined in the driver's __main__ by value: rebuild the metric
        # by its definition in the worker, reusing the one already defined there.
        return _restore, (type(self), self._init_args)

    def __repr__(self) -> str:
        return "%s(%r, labelnames=%r)" % (type(self).__name__, self._name, self._labelnames)


def _restore(cls, init_args: dict):
    probe = _full_name(init_args["name"], init_args["namespace"], init_args["subsystem"],
                       init_args["unit"])
    existing = RUNTIME.find(probe, cls._type)
    if type(existing) is cls and existing._init_args == init_args:
        return existing
    return cls(**init_args)


class Counter(_Metric):
    """A count that only goes up; the aggregator sums every process's increments.

    >>> JOBS = Counter("doc_jobs_total", "Jobs run")
    >>> JOBS.inc()
    >>> with JOBS.count_exceptions(ValueError):
    ...     pass
    """

    _type = protocol.COUNTER
    _value_class = CounterValue
    _methods = ("inc", "count_exceptions")
    inc = _labelled_only("inc")
    count_exceptions = _labelled_only("count_exceptions")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="",
                 unit="") -> None:
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit)


class Gauge(_Metric):
    """A value that goes up and down, merged across processes by ``multiprocess_mode``.

    The default ``livesum`` shows the sum of the current values of the processes alive now
    (a process's value disappears when it ends). Also: ``livemax``, ``livemin``, ``sum`` (signed
    changes, kept after the process ends), ``max``, ``min``, ``last`` (alias ``mostrecent``).

    >>> BUSY = Gauge("doc_busy_workers", "Workers inside a task")
    >>> with BUSY.track_inprogress():
    ...     pass
    >>> PEAK = Gauge("doc_peak_bytes", "Peak memory", multiprocess_mode="max")
    >>> PEAK.set(1024)
    """

    _type = protocol.GAUGE
    _methods = ("inc", "dec", "set", "set_to_current_time", "track_inprogress", "time")
    inc = _labelled_only("inc")
    dec = _labelled_only("dec")
    set = _labelled_only("set")
    set_to_current_time = _labelled_only("set_to_current_time")
    track_inprogress = _labelled_only("track_inprogress")
    time = _labelled_only("time")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 multiprocess_mode="livesum") -> None:
        mode = gauge_mode(multiprocess_mode)
        self._value_class = _GAUGE_VALUES.get(mode, AbsoluteGaugeValue)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit, mode=mode)
        self._init_args["multiprocess_mode"] = multiprocess_mode


def _check_buckets(name: str, buckets) -> tuple:
    try:
        bounds = [float(b) for b in buckets]
    except (TypeError, ValueError):
        raise ValueError("Invalid buckets for %s: %r (expected numbers)" % (name, buckets)) from None
    if bounds and bounds[-1] == INF:
        bounds.pop()
    if not bounds or any(not math.isfinite(b) for b in bounds) or any(
            a >= b for a, b in zip(bounds, bounds[1:])):
        raise ValueError("Invalid buckets for %s: %r (need at least one finite upper bound, "
                         "strictly increasing; +Inf is added for you)" % (name, buckets))
    return tuple(bounds)


class Histogram(_Metric):
    """Observations counted into buckets (``le`` upper bounds, ``+Inf`` implied), plus their sum.

    >>> LATENCY = Histogram("doc_parse_seconds", "Parse time", buckets=(.01, .1, 1))
    >>> LATENCY.observe(0.05)
    >>> with LATENCY.time():
    ...     pass
    """

    _type = protocol.HISTOGRAM
    _value_class = HistogramValue
    _methods = ("observe", "time")
    observe = _labelled_only("observe")
    time = _labelled_only("time")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="", unit="",
                 buckets=DEFAULT_BUCKETS) -> None:
        bounds = _check_buckets(_full_name(name, namespace, subsystem, unit), buckets)
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit,
                         bounds=bounds)
        self._init_args["buckets"] = tuple(buckets)


class Summary(_Metric):
    """Count and sum of observations (no quantiles: they cannot be merged across processes).

    >>> SIZE = Summary("doc_request_bytes", "Request size")
    >>> SIZE.observe(512)
    """

    _type = protocol.SUMMARY
    _value_class = SummaryValue
    _methods = ("observe", "time")
    observe = _labelled_only("observe")
    time = _labelled_only("time")

    def __init__(self, name, documentation, labelnames=(), namespace="", subsystem="",
                 unit="") -> None:
        super().__init__(name, documentation, labelnames, namespace, subsystem, unit)
