"""A WSGI app instrumented with plain prometheus_client, as users write it, for test_gunicorn.
Nothing here knows pidless: the sitecustomize recipe and PIDLESS_PROMETHEUS_CLIENT=1 switch it.

``/metrics`` serves this worker's own prometheus_client registry; every other path counts one
request and answers with the worker's pid."""
from __future__ import annotations

import os

import prometheus_client as pc

REQUESTS = pc.Counter("gu_requests_total", "Requests served", ["path"])
LATENCY = pc.Histogram("gu_latency_seconds", "Request latency", buckets=(0.001, 0.01, 0.1))
INPROGRESS = pc.Gauge("gu_inprogress", "Requests in progress", multiprocess_mode="livesum")


def app(environ, start_response):
    if environ["PATH_INFO"] == "/metrics":
        body = pc.generate_latest()
    else:
        with INPROGRESS.track_inprogress(), LATENCY.time():
            REQUESTS.labels(environ["PATH_INFO"]).inc()
            body = b"ok"
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Pid", str(os.getpid()))])
    return [body]
