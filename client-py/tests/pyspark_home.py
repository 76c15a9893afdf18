"""Real PySpark for the tests: an installed ``pyspark`` when ``import pyspark`` works, else a
SPARK_HOME laid out the way a Spark distribution (or ``pip install pyspark==4.0.1``) lays it out:

* ``jars/``: Spark 4.0.1's runtime classpath from Maven Central, as links to the jars Maven
  resolved (``PIDLESS_SPARK_CLASSPATH`` names the file ``dependency:build-classpath`` wrote);
* ``python/lib/pyspark.zip`` and ``py4j-0.10.9.9-src.zip``: PySpark's and py4j's Python sources,
  from ``shared/vendor/pyspark-python.tar.gz`` beside the repository (``PIDLESS_PYSPARK_TARBALL``
  overrides). Executors start ``python3 -m pyspark.daemon`` from these zips, as on a cluster;
* ``bin/spark-submit``: Spark's launcher builds the JVM command, as ``bin/spark-class`` does.

Without either, the PySpark tests are skipped with the reason.

    python3 pyspark_home.py SPARK_HOME   # completes a SPARK_HOME whose jars/ exist (test-cluster)
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TARBALL = os.environ.get("PIDLESS_PYSPARK_TARBALL") or os.path.join(
    os.path.dirname(REPO), "shared", "vendor", "pyspark-python.tar.gz")
PY4J_ZIP = "py4j-0.10.9.9-src.zip"   # the name Spark 4.0's PythonUtils puts on executors' path


class PySpark:
    """Where PySpark is: ``spark_home`` for SPARK_HOME, ``pythonpath`` for the driver's path."""

    def __init__(self, spark_home: str, pythonpath: list, source: str) -> None:
        self.spark_home, self.pythonpath, self.source = spark_home, pythonpath, source

    def run_driver(self, python: str, script: str, args: list, agg, pythonpath=(), timeout=600,
                   **env) -> tuple:
        """Runs ``python script args`` as a PySpark driver whose executors send to ``agg``
        (flush interval 1 h: only the exit paths deliver); its workers run ``python`` too.
        Returns (exit code, {scenario: the driver's ``RESULT {"scenario": ...}`` line}, stderr)."""
        env = dict(os.environ, SPARK_HOME=self.spark_home, PYSPARK_PYTHON=python,
                   PYTHONPATH=os.pathsep.join(list(pythonpath) + self.pythonpath
                                              + [os.path.join(REPO, "client-py")]),
                   SPARK_LOCAL_IP="127.0.0.1", PIDLESS_SOCKET=agg.socket,
                   PIDLESS_FLUSH_INTERVAL="3600", PIDLESS_EXIT_TIMEOUT="60",
                   PIDLESS_TEST_METRICS_URL=agg.url, **env)
        done = subprocess.run([python, script] + list(args), cwd=os.path.dirname(script), env=env,
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
        results = [json.loads(line[len("RESULT "):]) for line in done.stdout.splitlines()
                   if line.startswith("RESULT ")]
        return done.returncode, {r["scenario"]: r for r in results}, done.stderr


_workdirs = []


def default_workdir() -> str:
    """``PIDLESS_PYSPARK_WORKDIR`` (Maven sets target/), else one temporary directory per run."""
    if not _workdirs:
        _workdirs.append(os.environ.get("PIDLESS_PYSPARK_WORKDIR") or tempfile.mkdtemp(prefix="plspark"))
    return _workdirs[0]


def find(workdir: str = None) -> PySpark:
    """An installed pyspark, else one laid out in ``workdir``; raises ``unittest.SkipTest``."""
    import unittest
    workdir = workdir or default_workdir()
    spec = importlib.util.find_spec("pyspark")
    if spec is not None and spec.origin:
        home = os.path.dirname(spec.origin)
        return PySpark(os.environ.get("SPARK_HOME") or home, [], "installed pyspark at " + home)
    classpath = os.environ.get("PIDLESS_SPARK_CLASSPATH")
    if not os.path.isfile(TARBALL):
        raise unittest.SkipTest("no pyspark: `import pyspark` fails and %s is missing" % TARBALL)
    if not classpath or not os.path.isfile(classpath):
        raise unittest.SkipTest("no Spark jars: PIDLESS_SPARK_CLASSPATH (set by `mvn -pl client-py "
                                "verify`) does not name Maven's classpath file")
    home = os.path.join(workdir, "spark-home")
    if not os.path.isdir(os.path.join(home, "jars")):
        _link_jars(classpath, os.path.join(home, "jars"))
    complete(home)
    lib = os.path.join(home, "python", "lib")
    return PySpark(home, [os.path.join(lib, "pyspark.zip"), os.path.join(lib, PY4J_ZIP)],
                   "pyspark from %s, Spark jars from Maven Central" % os.path.basename(TARBALL))


def complete(home: str) -> None:
    """Adds python/lib's zips, bin/spark-submit and RELEASE to a SPARK_HOME with its jars/."""
    lib = os.path.join(home, "python", "lib")
    if not os.path.isfile(os.path.join(lib, PY4J_ZIP)):
        _unpack_zips(lib)
    bin_dir = os.path.join(home, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    submit = os.path.join(bin_dir, "spark-submit")
    shutil.copyfile(os.path.join(HERE, "spark_submit.sh"), submit)
    os.chmod(submit, 0o755)
    # Spark's launcher takes $SPARK_HOME/jars as the classpath when RELEASE exists.
    with open(os.path.join(home, "RELEASE"), "w") as f:
        f.write("Spark 4.0.1 jars from Maven Central, PySpark from %s\n" % TARBALL)


def _link_jars(classpath_file: str, jars: str) -> None:
    os.makedirs(jars)
    with open(classpath_file) as f:
        for jar in f.read().strip().split(os.pathsep):
            os.symlink(jar, os.path.join(jars, os.path.basename(jar)))


def _unpack_zips(lib: str) -> None:
    os.makedirs(lib, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plspark") as tmp:
        with tarfile.open(TARBALL) as tar:
            tar.extractall(tmp)
        for zip_name, root, package in (("pyspark.zip", "python", "pyspark"),
                                        (PY4J_ZIP, ".", "py4j")):
            base = os.path.join(tmp, root)
            with zipfile.ZipFile(os.path.join(lib, zip_name + ".tmp"), "w") as zf:
                for folder, _, files in os.walk(os.path.join(base, package)):
                    for name in files:
                        path = os.path.join(folder, name)
                        zf.write(path, os.path.relpath(path, base))
            os.replace(os.path.join(lib, zip_name + ".tmp"), os.path.join(lib, zip_name))


if __name__ == "__main__":
    complete(sys.argv[1])
