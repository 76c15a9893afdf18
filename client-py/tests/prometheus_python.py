"""The interpreter the prometheus_client tests run their processes with: this one when it has
prometheus_client (and gunicorn, for the gunicorn tests), else Debian's /usr/bin/python3 with
``python3-prometheus-client`` and ``gunicorn`` (what .ci/run and test.sh install). Without one,
the tests are skipped with the reason (test.sh installs the packages, so CI runs them)."""
from __future__ import annotations

import subprocess
import sys
import unittest

CANDIDATES = (sys.executable, "/usr/bin/python3")


def find(*modules: str) -> str:
    """The first candidate that imports ``prometheus_client`` and ``modules``; else SkipTest."""
    wanted = ("prometheus_client",) + modules
    check = "import " + ", ".join(wanted)
    for python in CANDIDATES:
        try:
            if subprocess.run([python, "-c", check], capture_output=True, timeout=60).returncode == 0:
                return python
        except OSError:
            continue
    raise unittest.SkipTest("no Python with %s among %s: apt-get install python3-prometheus-client "
                            "gunicorn (test.sh does)" % (", ".join(wanted), ", ".join(CANDIDATES)))
