"""What PySpark delivers with pidless' worker hooks on and off, measured with real pyspark.daemon
workers: client-py/tests/pyspark_job.py's scenarios (a plain map, the decorator, first attempts
that raise, call os._exit or get SIGHUP/SIGTERM, a module shipped with addPyFile), each scraped
right after its action and again 3 s after sc.stop(), with the default 1 s flush interval.

    mvn -B -q -pl client-py -am pre-integration-test -DskipTests     # the jar and Spark's classpath
    PIDLESS_SPARK_CLASSPATH=client-py/target/spark-classpath.txt python3 bench/python/pyspark_exit_paths.py

Prints one line per scenario and setting of PIDLESS_PYSPARK_AUTO; the README's PySpark section
quotes them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = os.path.join(REPO, "client-py", "tests")
sys.path.insert(0, TESTS)

import aggregator  # noqa: E402
import pyspark_home  # noqa: E402


def run(pyspark, auto: str, master: str) -> None:
    agg = aggregator.Aggregator().start()
    try:
        env = dict(os.environ, SPARK_HOME=pyspark.spark_home, PYSPARK_PYTHON=sys.executable,
                   PYTHONPATH=os.pathsep.join(pyspark.pythonpath + [os.path.join(REPO, "client-py")]),
                   SPARK_LOCAL_IP="127.0.0.1", PIDLESS_SOCKET=agg.socket, PIDLESS_FLUSH_INTERVAL="1",
                   PIDLESS_EXIT_TIMEOUT="60", PIDLESS_TEST_METRICS_URL=agg.url,
                   PIDLESS_PYSPARK_AUTO=auto)
        driver = subprocess.run([sys.executable, os.path.join(TESTS, "pyspark_job.py"), master, "true",
                                 tempfile.mkdtemp(prefix="plship")], env=env, cwd=TESTS,
                                capture_output=True, text=True, check=True)
        time.sleep(3)
        for line in driver.stdout.splitlines():
            if not line.startswith("RESULT "):
                continue
            r = json.loads(line[len("RESULT "):])
            later = (agg.value("ps_shipped_records_total") if r["scenario"] == "shipped"
                     else agg.value("ps_records_total", scenario=r["scenario"]))
            print("PIDLESS_PYSPARK_AUTO=%s %-22s expected %4d  right after the action %5s  after sc.stop() %5s"
                  % (auto, r["scenario"], r["expected"], r["after_action"], later), flush=True)
    finally:
        agg.close()


def main() -> None:
    pyspark = pyspark_home.find(os.path.join(REPO, "client-py", "target"))
    master = sys.argv[1] if len(sys.argv) > 1 else "local[2,2]"
    for auto in ("1", "0"):
        run(pyspark, auto, master)


if __name__ == "__main__":
    main()
