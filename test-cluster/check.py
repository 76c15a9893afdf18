"""Asks Prometheus, through its HTTP query API as Grafana would, whether the test cluster's numbers
are right, and prints the report. Expectations come from the driver's JSON (expected.json).

  python3 check.py wait-scrape PROM_URL JOB AFTER_MS TIMEOUT_S   # wait until JOB was scraped after AFTER_MS
  python3 check.py report PROM_URL EXPECTED_JSON RESTART_JSON [EPHEMERAL_JSON]   # every check; exit 1 if one fails
  python3 check.py ephemeral PROM_URL EPHEMERAL_JSON              # the ephemeral node's checks alone
"""
import json
import re
import sys
import time
import urllib.parse
import urllib.request

# Label names a pidless series may carry here; anything per process (pid, executor, session, ...) fails.
ALLOWED_LABELS = {"__name__", "job", "instance", "app_name", "accumulator", "outcome", "le"}
PER_PROCESS = re.compile(r"pid|executor|session|worker|attempt|task|host|process", re.I)
JOB_METRICS = '{job="pidless",__name__=~"tc_.*|spark_.*"}'


def query(prom, promql, at=None):
    params = {"query": promql}
    if at is not None:
        params["time"] = "%.3f" % at
    url = prom + "/api/v1/query?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as resp:
        body = json.load(resp)
    if body.get("status") != "success":
        raise RuntimeError("query %s failed: %s" % (promql, body))
    return body["data"]["result"]


def scalar(prom, promql, at=None):
    result = query(prom, promql, at)
    if not result:
        return None
    return float(result[0]["value"][1])


def wait_scrape(prom, job, after_ms, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            ts = scalar(prom, 'max(timestamp(up{job="%s"} == 1))' % job)
        except OSError:
            ts = None
        if ts is not None and ts * 1000 > after_ms:
            return 0
        time.sleep(0.2)
    print("no successful scrape of job=%s after %d ms within %ss" % (job, after_ms, timeout_s), file=sys.stderr)
    return 1


def reset_aware_total(samples):
    """What increase() counts before it extrapolates: the sum of rises, a drop being a restart from 0.

    >>> reset_aware_total([(0, "3"), (1, "5"), (2, "2"), (3, "4")])   # 5 before the restart, 4 after
    9.0
    """
    total, last = 0.0, 0.0
    for _, value in samples:
        value = float(value)
        total += value - last if value >= last else value
        last = value
    return total


def raw_values(prom, promql, window_s):
    """The distinct values of every raw sample of {promql} in the last window_s seconds."""
    return {v for series in query(prom, "%s[%ds]" % (promql, window_s)) for _, v in series["values"]}


def lifetime_totals(prom, metric, window_s):
    """Per series (labels without job/instance), the reset-aware total of every raw sample in the run."""
    out = {}
    for series in query(prom, '%s{job="pidless"}[%ds]' % (metric, window_s)):
        labels = {k: v for k, v in series["metric"].items() if k not in ("__name__", "job", "instance")}
        values = [float(v) for _, v in series["values"]]
        resets = sum(1 for a, b in zip(values, values[1:]) if b < a)
        out[json.dumps(labels, sort_keys=True)] = (reset_aware_total(series["values"]), resets)
    return out


class Report:
    def __init__(self):
        self.failures = 0

    def check(self, ok, what, detail):
        self.failures += 0 if ok else 1
        print("  %s  %-66s %s" % ("ok  " if ok else "FAIL", what, detail))


def ephemeral(prom, ephemeral_path):
    r = Report()
    check_ephemeral(r, prom, json.load(open(ephemeral_path)))
    return 0 if r.failures == 0 else 1


def check_ephemeral(r, prom, exp):
    """A node that only remote-wrote, was stopped and deleted: Prometheus still has its exact totals."""
    print("ephemeral node (remote_write only, stopped, its directory deleted):")
    node = '{node="ephemeral-1"}'
    sel = lambda extra: '{node="ephemeral-1",%s}' % extra
    for promql, want, what in [
        ("tc_eph_records_total" + sel('stage="parse"'), exp["parse"], "parse records"),
        ("tc_eph_records_total" + sel('stage="load"'), exp["load"], "load records"),
        ("tc_eph_latency_seconds_count" + node, exp["latency_count"], "histogram count"),
        ("tc_eph_latency_seconds_bucket" + sel('le="1.0"'), exp["latency_count"], "histogram bucket le=1.0"),
        ("tc_eph_latency_seconds_bucket" + sel('le="0.1"'), 0, "histogram bucket le=0.1"),
        ("tc_eph_latency_seconds_sum" + node, exp["latency_sum"], "histogram sum"),
    ]:
        got = scalar(prom, "last_over_time(%s[1h])" % promql)
        r.check(got == want, "%s %s" % (promql, what), "prometheus %s, workers wrote %s" % (got, want))
    series = query(prom, 'count by (job, instance) (last_over_time({node="ephemeral-1"}[1h]))')
    r.check(len(series) == 1 and series[0]["metric"] == {}, "pushed, never scraped: no job or instance label",
            json.dumps([s["metric"] for s in series]))


def report(prom, expected_path, restart_path, ephemeral_path=None):
    exp = json.load(open(expected_path))
    restart = json.load(open(restart_path))
    now = time.time()
    window = int(now - exp["phases"][0]["start_ms"] / 1000) + 30   # the whole run, in seconds
    r = Report()
    print("pidless test cluster: Spark standalone, %d executors, %d tasks, %d of them Python tasks in pyspark.daemon workers"
          % (exp["executors"], exp["tasks"], exp["python_tasks"]))
    measured, resets = check_totals(r, prom, exp, window)
    check_cardinality(r, prom, exp, now, window)
    check_fault(r, prom, exp, restart, resets, window)
    check_pushgateway(r, prom, exp, measured)
    check_sink(r, prom, exp, now, window)
    if ephemeral_path:
        check_ephemeral(r, prom, json.load(open(ephemeral_path)))
    print("RESULT: %s" % ("PASS" if r.failures == 0 else "FAIL (%d checks failed)" % r.failures))
    return 0 if r.failures == 0 else 1


def check_totals(r, prom, exp, window):
    """Every counter, summed over both aggregator lifetimes, equals what the job computed."""
    print("totals over the whole run (reset-aware sum of Prometheus' raw samples, both aggregator lifetimes):")
    app = exp["app_name"]
    counters = [
        ("tc_py_records_total", {}, exp["records"], "records read by Python workers (client-py)"),
        ("tc_py_bytes_total", {}, exp["bytes"], "bytes read by Python workers (client-py)"),
        ("tc_jvm_records_total", {"app_name": app}, exp["acc_records"], "PidlessAccumulator tc_jvm_records"),
        ("tc_jvm_bytes_total", {"app_name": app}, exp["acc_bytes"], "PidlessAccumulator tc_jvm_bytes"),
        ("spark_accumulator_total", {"app_name": app, "accumulator": "tc_jvm_records"}, exp["acc_records"],
         "plugin: driver value of tc_jvm_records"),
        ("spark_tasks_total", {"app_name": app, "outcome": "succeeded"}, exp["tasks"], "plugin: task attempts"),
        ("spark_task_run_seconds_count", {"app_name": app}, exp["tasks"], "plugin: task run time histogram"),
        ("spark_jobs_total", {"app_name": app, "outcome": "succeeded"}, exp["jobs"], "plugin: jobs"),
        ("spark_stages_total", {"app_name": app, "outcome": "succeeded"}, exp["stages"], "plugin: stages"),
    ]
    measured, resets = {}, {}
    for metric, labels, want, what in counters:
        total, resets[metric] = lifetime_totals(prom, metric, window).get(json.dumps(labels, sort_keys=True),
                                                                         (None, 0))
        measured[metric] = total
        r.check(total == want, "%s %s" % (metric, what),
                "prometheus %s, job computed %d" % ("absent" if total is None else "%d" % total, want))
    return measured, resets


def check_cardinality(r, prom, exp, now, window):
    """No per-process label, and as many series after 48 Python tasks as after 12."""
    print("no per-process labels, constant series count:")
    names, bad = set(), set()
    url = prom + "/api/v1/series?" + urllib.parse.urlencode(
        {"match[]": JOB_METRICS, "start": "%.3f" % (now - window), "end": "%.3f" % now})
    with urllib.request.urlopen(url, timeout=10) as resp:
        for labels in json.load(resp)["data"]:
            names.update(labels)
            bad.update(n for n in labels if n not in ALLOWED_LABELS or PER_PROCESS.search(n))
            if labels.get("app_name", exp["app_name"]) != exp["app_name"]:
                bad.add("app_name=%s" % labels["app_name"])
    r.check(not bad, "label names of every tc_*/spark_* series",
            "unexpected: %s" % sorted(bad) if bad else "only %s" % ",".join(sorted(names)))
    small, large = exp["phases"][0], exp["phases"][1]
    # the driver waits 3 s after each job: 2.5 s after its end, its deltas are flushed and scraped
    counts = [int(scalar(prom, "count(%s)" % JOB_METRICS, p["end_ms"] / 1000 + 2.5) or 0) for p in (small, large)]
    r.check(counts[0] == counts[1] > 0, "series after %d vs %d more Python tasks"
            % (small["partitions"], large["partitions"]), "%d then %d series" % tuple(counts))
    per_name = query(prom, 'count by (__name__) ({job="pidless",__name__=~"tc_.*_total"})',
                     large["end_ms"] / 1000 + 2.5)
    r.check(len(per_name) == 4 and all(s["value"][1] == "1" for s in per_name),
            "one series per tc_*_total metric after %d Python tasks" % (small["partitions"] + large["partitions"]),
            ", ".join("%s=%s" % (s["metric"]["__name__"], s["value"][1]) for s in per_name))
    up = scalar(prom, 'up{job="pidless"}')
    r.check(up == 1, 'up{job="pidless"}', "%s" % up)


def check_fault(r, prom, exp, restart, resets, window):
    """The graceful restart is invisible: no reset, the same _created, nothing lost or repeated."""
    print("fault phase: aggregator restarted (SIGTERM, start again) while %d tasks ran:"
          % exp["phases"][2]["partitions"])
    r.check(restart["exit_code"] == 0 and restart["saved"] > 0, "old aggregator stopped gracefully, state saved",
            "exit %s after %.1fs, %d series saved" % (restart["exit_code"], restart["stop_s"], restart["saved"]))
    r.check(restart["restored"] == restart["saved"], "new aggregator restored every saved series",
            "%d of %d" % (restart["restored"], restart["saved"]))
    r.check(not any(resets.values()), "no counter reset in any checked counter",
            ", ".join("%s=%d" % (m, n) for m, n in sorted(resets.items()) if n) or "0 resets in %d counters"
            % len(resets))
    created = raw_values(prom, 'tc_py_records_created{job="pidless"}', window)
    r.check(len(created) == 1, "tc_py_records_created unchanged across the restart",
            "%d distinct values" % len(created))
    scraped = scalar(prom, 'last_over_time(tc_py_records_total{job="pidless"}[%ds])' % window,
                     restart["sigterm_ms"] / 1000)
    print("  info  %d records applied after Prometheus' last scrape of the old aggregator, kept by the state file"
          % (exp["records"] - exp["records_after_restart"] - (scraped or 0)))
    inc = scalar(prom, 'sum(increase(tc_py_records_total{job="pidless"}[%ds]))' % window)
    print("  info  increase(tc_py_records_total[%ds]) = %.1f (extrapolated; exact total %d)"
          % (window, inc or 0, exp["records"]))


def check_pushgateway(r, prom, exp, measured):
    """The same workers' pushes under one grouping key: the gateway shows one process's count."""
    print("side by side, the same workers pushing to a Pushgateway (one grouping key per job):")
    pgw = scalar(prom, 'tc_py_records_total{job="pidless_test_cluster"}')
    ours = measured["tc_py_records_total"]
    r.check(pgw is not None and pgw in exp["per_task_records"] and pgw < exp["records"],
            "Pushgateway keeps only the last push",
            "pushgateway %s, pidless %s, sent %d by %d tasks"
            % ("absent" if pgw is None else "%d" % pgw, "absent" if ours is None else "%d" % ours,
               exp["records"], exp["python_tasks"]))


# PidlessSink's executor counters and Spark's REST executor totals they must equal
SINK_TOTALS = [
    ("spark_executor_succeeded_tasks_total", "completedTasks"),
    ("spark_executor_bytes_read_total", "totalInputBytes"),
    ("spark_executor_shuffle_total_bytes_read_total", "totalShuffleRead"),
    ("spark_executor_shuffle_bytes_written_total", "totalShuffleWrite"),
]
# the plugin's own series; every other spark_* series of the pidless job comes from PidlessSink
PLUGIN_NAMES = "spark_(tasks?|jobs|stages|accumulator)(_.*)?"


def series_count(prom, match, now, window):
    """How many series Prometheus stored for ``match`` during the run."""
    url = prom + "/api/v1/series?" + urllib.parse.urlencode(
        {"match[]": match, "start": "%.3f" % (now - window), "end": "%.3f" % now})
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.load(resp)["data"]


def app_id_in(name, app_id):
    """Whether a metric name carries the application id, as Spark's PrometheusServlet names do.

    >>> app_id_in("metrics_app_20261203091500_0000_driver_jvm_heap_used_Value", "app-20261203091500-0000")
    True
    >>> app_id_in("spark_jvm_heap_used", "app-20261203091500-0000")
    False
    """
    return app_id.replace("-", "_") in name or app_id in name


def check_sink(r, prom, exp, now, window):
    """PidlessSink: executor counters equal Spark's REST totals; series without ids, beside Spark's own."""
    print("PidlessSink (Spark's metrics system), beside Spark's PrometheusServlet on the driver:")
    app = json.dumps({"app_name": exp["app_name"]}, sort_keys=True)
    for metric, key in SINK_TOTALS:
        total, _ = lifetime_totals(prom, metric, window).get(app, (None, 0))
        want = exp["executor_totals"][key]
        r.check(total == want, "%s = REST %s" % (metric, key),
                "prometheus %s, Spark %d" % ("absent" if total is None else "%d" % total, want))
    sink = [s for s in series_count(prom, '{job="pidless",__name__=~"spark_.*"}', now, window)
            if not re.fullmatch(PLUGIN_NAMES, s["__name__"])]
    spark = series_count(prom, '{job=~"spark_driver|spark_executors"}', now, window)
    with_ids = [s for s in sink if app_id_in(s["__name__"], exp["app_id"])
                or any(k not in ("__name__", "job", "instance", "app_name") for k in s)]
    r.check(sink and not with_ids, "no application or executor id in any PidlessSink series",
            "%d series, %d with ids %s" % (len(sink), len(with_ids), [s["__name__"] for s in with_ids[:3]]))
    spark_ids = sum(1 for s in spark if "executor_id" in s or app_id_in(s["__name__"], exp["app_id"]))
    r.check(len(spark) > 0, "series stored for the run: Spark's servlets vs pidless",
            "Spark %d (%d named or labelled by application/executor id), pidless sink %d"
            % (len(spark), spark_ids, len(sink)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "wait-scrape":
        sys.exit(wait_scrape(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])))
    if cmd == "report":
        sys.exit(report(*sys.argv[2:6]))
    if cmd == "ephemeral":
        sys.exit(ephemeral(sys.argv[2], sys.argv[3]))
    sys.exit("usage: check.py wait-scrape|report ...")
