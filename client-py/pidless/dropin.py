"""prometheus_client code, unchanged, sends to pidless after :func:`install`.

prometheus_client builds every number of a ``Counter``, ``Gauge``, ``Histogram`` and ``Summary``
through one hook, ``prometheus_client.values.ValueClass(typ, metric_name, name, labelnames,
labelvalues, help_text, **kwargs)``: multiprocess mode swaps in its mmap-backed class there.
:func:`install` swaps in :class:`pidless.dropin_cells.Cell`, prometheus_client's own kind of value
(so the process's ``/metrics`` keeps its values, and ``inc()`` costs no more), beside which
:mod:`pidless.dropin_series` registers the pidless value the flusher reads it with: delivery, fork,
exit and signal handling are pidless' own (:mod:`pidless.runtime`). ``Info`` and ``Enum`` have no
value object, and a ``Gauge.set_function`` is computed at scrape: those stay in-process only.

Metrics that already exist in ``prometheus_client.REGISTRY`` are adopted: their ``MutexValue``
objects become cells in place (``__class__`` swapped under their own lock, the counts they hold are
sent). Metrics created with ``registry=None`` before the call, and values of another class
(multiprocess mode's), stay in-process only; the log line counts them.

After a fork the child's cells start from zero, as in multiprocess mode: the parent keeps and sends
what it counted. Internals used, checked by probes at install (a mismatch is logged once and leaves
prometheus_client untouched): ``values.ValueClass`` and its arguments, ``values.MutexValue``'s
``_value``/``_lock``/``_exemplar``, ``REGISTRY._collector_to_names``, and the metrics' ``_value``,
``_sum``, ``_count``, ``_buckets``, ``_upper_bounds``, ``_metrics``, ``_lock``, ``_labelnames``,
``_labelvalues``, ``_documentation``, ``_multiprocess_mode``. Tested with 0.16.

>>> import pidless
>>> pidless.install_prometheus_client()   # doctest: +SKIP
True
"""
from __future__ import annotations

import itertools
import logging
import os

from .dropin_cells import Cell, GaugeCell
from .dropin_series import attach, recording

log = logging.getLogger("pidless")

ENV_SWITCH = "PIDLESS_PROMETHEUS_CLIENT"
_ON = ("1", "true", "yes", "on")
_installed = []


def requested(environ=os.environ) -> bool:
    """``PIDLESS_PROMETHEUS_CLIENT`` is 1/true/yes/on.

    >>> requested({"PIDLESS_PROMETHEUS_CLIENT": "1"}), requested({})
    (True, False)
    """
    return environ.get(ENV_SWITCH, "").strip().lower() in _ON


def install() -> bool:
    """Sends every prometheus_client metric of this process to the node's pidless aggregator.

    Returns True when installed (also on a repeated call), False when prometheus_client is
    missing or its internals are not the ones pidless knows: then one error is logged and
    prometheus_client is left as it was (its metrics keep working in-process).

    >>> import pidless
    >>> pidless.install_prometheus_client()   # doctest: +SKIP
    True
    """
    if _installed:
        return True
    try:
        import prometheus_client
        from prometheus_client import metrics, values
    except ImportError as e:
        log.error("pidless: install_prometheus_client() (or %s=1) needs prometheus_client, which "
                  "cannot be imported (%s): install it, or unset %s", ENV_SWITCH, e, ENV_SWITCH)
        return False
    version = _version(prometheus_client)
    previous = getattr(values, "ValueClass", None)
    problem = _probe(metrics, values)
    if problem is not None:
        values.ValueClass = previous
        log.error("pidless: not sending prometheus_client %s metrics to the aggregator: %s. "
                  "They keep working in-process; pidless-py supports the internals of "
                  "prometheus_client 0.16 (see pidless/dropin.py)", version, problem)
        return False
    _installed.append(version)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir"):
        log.warning("pidless: PROMETHEUS_MULTIPROC_DIR is set: prometheus_client metrics created "
                    "from now on go to the pidless aggregator, not to that directory's files; "
                    "unset it (see README, 'Already using prometheus_client?')")
    left = _adopt_registered(metrics, values.MutexValue)
    if left:
        log.warning("pidless: %d prometheus_client values created before "
                    "install_prometheus_client() are not MutexValue (multiprocess mode?) and stay "
                    "in-process only; install earlier (PIDLESS_PROMETHEUS_CLIENT=1 with "
                    "sitecustomize, see README)", left)
    return True


def _version(prometheus_client) -> str:
    try:
        from importlib.metadata import version
        return version("prometheus_client")
    except Exception:   # no metadata (vendored copy): the version is only for the log line
        return getattr(prometheus_client, "__version__", "(unknown version)")


def _probe(metrics, values):
    """Installs :class:`Cell` as ``values.ValueClass``; the reason it cannot work, or None."""
    mutex = getattr(values, "MutexValue", None)
    if mutex is None or not hasattr(values, "ValueClass"):
        return "prometheus_client.values has no MutexValue/ValueClass"
    try:
        sample = mutex("counter", "p", "p_total", (), (), "p")
        if sorted(vars(sample)) != ["_exemplar", "_lock", "_value"]:
            return "MutexValue holds %s, not _value/_lock/_exemplar" % sorted(vars(sample))
        registry = getattr(metrics, "REGISTRY", None)
        if not isinstance(getattr(registry, "_collector_to_names", None), dict):
            return "REGISTRY._collector_to_names is missing"
        values.ValueClass = Cell
        with recording() as calls:
            counter = metrics.Counter("probe", "p", ["a"], registry=None).labels("x")
            gauge = metrics.Gauge("probe", "p", multiprocess_mode="livesum", registry=None)
            histogram = metrics.Histogram("probe", "p", buckets=(1,), registry=None)
            summary = metrics.Summary("probe", "p", registry=None)
        expected = [("counter", "probe_total", ("a",), ("x",)), ("gauge", "probe", (), ()),
                    ("histogram", "probe_sum", (), ()), ("histogram", "probe_bucket", ("le",), ("1.0",)),
                    ("histogram", "probe_bucket", ("le",), ("+Inf",)),
                    ("summary", "probe_count", (), ()), ("summary", "probe_sum", (), ())]
        if calls != expected:
            return "metrics build their values as %s, expected %s" % (calls, expected)
        cells = [counter._value, gauge._value, histogram._sum] + list(histogram._buckets) + [
            summary._count, summary._sum]
        if not all(isinstance(c, Cell) for c in cells) or gauge._multiprocess_mode != "livesum":
            return "metrics do not keep their values in _value/_sum/_buckets/_count"
    except Exception as e:   # any other shape of the internals: say what broke
        return "probing its internals raised %r" % (e,)
    return None


def _adopt_registered(metrics, mutex) -> int:
    """Turns the MutexValues of metrics already in REGISTRY into cells; returns how many were
    left alone (another value class)."""
    left = 0
    for collector in list(metrics.REGISTRY._collector_to_names):
        if not isinstance(collector, metrics.MetricWrapperBase):
            continue   # custom collectors (process_*, gc_*...) build their samples at scrape
        children = [collector]
        if collector._is_parent():
            with collector._lock:
                children = list(collector._metrics.values())
        for child in children:
            left += _adopt_child(metrics, mutex, child)
    return left


def _adopt_child(metrics, mutex, m) -> int:
    """Replays the child's ``_metric_init`` onto its existing values, in the same order."""
    name, names, vals, doc = m._name, m._labelnames, m._labelvalues, m._documentation
    if isinstance(m, metrics.Counter):
        parts = [(m._value, "counter", name + "_total", names, vals, "")]
    elif isinstance(m, metrics.Gauge):
        parts = [(m._value, "gauge", name, names, vals, m._multiprocess_mode)]
    elif isinstance(m, metrics.Summary):
        parts = [(m._count, "summary", name + "_count", names, vals, ""),
                 (m._sum, "summary", name + "_sum", names, vals, "")]
    elif isinstance(m, metrics.Histogram):
        from prometheus_client.utils import floatToGoString
        parts = [(m._sum, "histogram", name + "_sum", names, vals, "")] + [
            (bucket, "histogram", name + "_bucket", names + ("le",), vals + (floatToGoString(b),), "")
            for bucket, b in zip(m._buckets, m._upper_bounds)]
    else:
        return 0   # Info, Enum: no value objects
    if any(type(value) is not mutex for value, *_ in parts):
        return len(parts)
    for value, typ, sample_name, labelnames, labelvalues, mode in parts:
        with value._lock:
            value._ones = itertools.count()
            value.__class__ = GaugeCell if typ == "gauge" else Cell
            attach(value, typ, name, sample_name, labelnames, labelvalues, doc, mode)
    return 0
