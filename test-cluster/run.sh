#!/usr/bin/env bash
# End to end on one machine, the shape of production: a Spark standalone master and two workers
# (executors are separate JVMs), the pidless aggregator, a Prometheus server scraping it and a
# Pushgateway beside it. Submits a real PySpark application (pyspark_app.py: Python tasks in
# pyspark.daemon workers using client-py, and through py4j JVM jobs with PidlessAccumulator, on
# executors with PidlessPlugin), restarts the aggregator while tasks run, runs an "ephemeral node" (a
# second aggregator that only remote-writes to Prometheus, stopped and deleted), then asks Prometheus
# through its HTTP API whether the numbers are right. Exit 0 only if every check holds.
#
#   test-cluster/run.sh                 # needs: Java 17, Maven, python3 and PySpark's Python sources
#                                       # (shared/vendor/pyspark-python.tar.gz beside the repo, or
#                                       # PIDLESS_PYSPARK_TARBALL); installs Prometheus and the
#                                       # Pushgateway from Debian when missing (as root)
# Environment: PIDLESS_AGGREGATOR_JAR, PIDLESS_CLIENT_JVM_JAR (default: the repo's target/ jars),
# TC_CLIENT_PY (default: the repo's client-py) the directory put on the Python workers' PYTHONPATH,
# TC_KEEP=1 keeps the work directory (logs) after the run.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
AGG_JAR="${PIDLESS_AGGREGATOR_JAR:-$REPO/aggregator/target/pidless-aggregator.jar}"
CLIENT_JAR="${PIDLESS_CLIENT_JVM_JAR:-$REPO/client-jvm/target/pidless-client-jvm.jar}"
CLIENT_PY="${TC_CLIENT_PY:-$REPO/client-py}"
# The aggregators run under the JVM options deploy/ ships (deploy/systemd/pidless.env).
read -r -a AGG_JVM <<<"$(sed -n 's/^PIDLESS_JAVA_OPTS=//p' "$REPO/deploy/systemd/pidless.env")"
SPARK_HOME="$HERE/target/spark-home"
SMALL=12 LARGE=36 FAULT=4          # partitions = Python tasks per phase; FAULT = executor cores in total
T0=$(date +%s)

exec 9>&2   # log and die reach the terminal even from inside a redirected wait_for
log() { printf '%s test-cluster: %s\n' "$(date -u +%H:%M:%S)" "$*" >&9; }
die() { log "FAIL: $*"; exit 1; }

WORK="$(mktemp -d /tmp/pidless-tc.XXXXXX)"
PIDS=()
cleanup() {
  local rc=$?
  [[ -d "$WORK/fault" ]] && touch "$WORK/fault/go"   # release Python workers still waiting for the restart
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 || -n "${TC_KEEP:-}" ]]; then
    log "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD...: runs CMD in the background, output in $WORK/NAME.log, stopped on exit
start() {
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}

# forget PID: a process that ended and was reaped, so cleanup never signals a recycled pid
forget() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || keep+=("$pid"); done
  PIDS=("${keep[@]}")
}

# wait_for WHAT SECONDS CMD...: polls CMD every 0.2 s
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what not ready after ${seconds}s (logs in $WORK)"
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_ok() { python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1"; }

# --- what the run needs ---------------------------------------------------------------------------
if ! command -v prometheus >/dev/null || ! command -v prometheus-pushgateway >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "prometheus and prometheus-pushgateway are missing: apt-get install prometheus prometheus-pushgateway"
  log "installing prometheus and prometheus-pushgateway (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus prometheus-pushgateway >/dev/null
fi
[[ -f "$AGG_JAR" ]] || die "no aggregator jar at $AGG_JAR: run 'mvn -B install -DskipTests' in $REPO or set PIDLESS_AGGREGATOR_JAR"
[[ -f "$CLIENT_JAR" ]] || die "no client jar at $CLIENT_JAR: run 'mvn -B install -DskipTests' in $REPO or set PIDLESS_CLIENT_JVM_JAR"
JAVA="$(command -v java)"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"
PYTHON="$(command -v python3)"

if [[ ! -f "$SPARK_HOME/RELEASE" ]]; then
  log "building SPARK_HOME from Maven Central (spark-core_2.13 runtime classpath)"
  t=$(date +%s)
  mvn -B -q -Dstyle.color=never -f "$HERE/pom.xml" package >"$WORK/maven.log" 2>&1 ||
    die "could not fetch Spark from Maven Central (see $WORK/maven.log)"
  # Spark's launcher (AbstractCommandBuilder.findJarsDir) takes $SPARK_HOME/jars when RELEASE exists
  echo "Spark 4.0.1 runtime classpath from Maven Central, for pidless test-cluster" >"$SPARK_HOME/RELEASE"
  log "SPARK_HOME ready in $(($(date +%s) - t))s"
fi
cp "$CLIENT_JAR" "$SPARK_HOME/jars/pidless-client-jvm.jar"
# python/lib/pyspark.zip and py4j's (executors start pyspark.daemon from them) and bin/spark-submit
python3 "$CLIENT_PY/tests/pyspark_home.py" "$SPARK_HOME" ||
  die "could not add PySpark to $SPARK_HOME (see client-py/tests/pyspark_home.py)"

python3 -m doctest "$HERE/check.py" || die "check.py's own examples fail"
mkdir -p "$WORK/classes"
javac -nowarn -d "$WORK/classes" -cp "$SPARK_HOME/jars/*" "$HERE"/src/io/pidless/testcluster/*.java
(cd "$WORK/classes" && jar cf "$WORK/job.jar" .)

# Spark's jars/ holds the client jar (above): PidlessSink starts with every metrics system
# Spark's launcher (JavaModuleOptions) adds these on Java 17; Master, Worker and the driver need them too
OPENS=(-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
  java.util.concurrent.atomic sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
# the Worker's launcher asks for the Scala version before it looks for $SPARK_HOME/RELEASE
# (AbstractCommandBuilder.buildClassPath -> getScalaVersion: "Cannot find any build directories")
export SPARK_HOME SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1

# --- the cluster --------------------------------------------------------------------------------------
SOCK="$WORK/p.sock"
AGG_PORT=$(free_port) PROM_PORT=$(free_port) PGW_PORT=$(free_port) MASTER_PORT=$(free_port) UI_PORT=$(free_port)
PROM="http://127.0.0.1:$PROM_PORT"
PGW="http://127.0.0.1:$PGW_PORT"

start_aggregator() {   # $1: log name
  start "$1" "$JAVA" "${AGG_JVM[@]}" -jar "$AGG_JAR" --socket "$SOCK" --listen "127.0.0.1:$AGG_PORT"
  AGG_PID=$!
  wait_for "aggregator ($1)" 30 grep -q "metrics at http://127.0.0.1:$AGG_PORT/metrics" "$WORK/$1.log"
}
start_aggregator aggregator
start pushgateway prometheus-pushgateway --web.listen-address="127.0.0.1:$PGW_PORT"
wait_for pushgateway 30 http_ok "$PGW/-/ready"

cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: pidless
    static_configs: [{targets: ["127.0.0.1:$AGG_PORT"]}]
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{targets: ["127.0.0.1:$PGW_PORT"]}]
  # side by side with PidlessSink: Spark's own Prometheus endpoints on the driver's UI
  - job_name: spark_driver
    metrics_path: /metrics/prometheus/
    static_configs: [{targets: ["127.0.0.1:$UI_PORT"]}]
  - job_name: spark_executors
    metrics_path: /metrics/executors/prometheus/
    static_configs: [{targets: ["127.0.0.1:$UI_PORT"]}]
EOF
start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-remote-write-receiver
wait_for prometheus 60 http_ok "$PROM/-/ready"

start master "$JAVA" -Xmx256m "${OPENS[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$(free_port)"
MASTER="spark://127.0.0.1:$MASTER_PORT"
for w in 1 2; do
  start "worker$w" "$JAVA" -Xmx256m "${OPENS[@]}" -cp "$SPARK_HOME/jars/*" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --port 0 --webui-port "$(free_port)" --cores 2 --memory 1g --work-dir "$WORK/work$w" "$MASTER"
done
count_workers() { [[ $(grep -c "Registering worker" "$WORK/master.log") -ge 2 ]]; }
wait_for "two Spark workers registered with the master" 90 count_workers
log "up: master $MASTER, 2 workers, aggregator :$AGG_PORT, prometheus :$PROM_PORT, pushgateway :$PGW_PORT"

# --- the application, and the aggregator restart while its last phase runs --------------------------
mkdir -p "$WORK/fault"
start driver env PYSPARK_PYTHON="$PYTHON" PYTHONPATH="$CLIENT_PY" "$SPARK_HOME/bin/spark-submit" \
  --master "$MASTER" --jars "$WORK/job.jar" --driver-memory 512m \
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
  --conf spark.ui.port="$UI_PORT" --conf spark.ui.prometheus.enabled=true \
  --conf 'spark.metrics.conf.*.sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet' \
  --conf 'spark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus' \
  --conf 'spark.metrics.conf.*.sink.pidless.class=org.apache.spark.metrics.sink.PidlessSink' \
  --conf 'spark.metrics.conf.*.sink.pidless.period=1' --conf 'spark.metrics.conf.*.sink.pidless.unit=seconds' \
  --conf spark.executor.memory=512m --conf spark.executor.cores=2 --conf spark.cores.max=4 \
  --conf spark.plugins=io.pidless.spark.PidlessPlugin --conf spark.pidless.socket="$SOCK" \
  --conf spark.executorEnv.PIDLESS_SOCKET="$SOCK" --conf spark.executorEnv.PYTHONPATH="$CLIENT_PY" \
  --conf spark.executorEnv.TC_FAULT_DIR="$WORK/fault" --conf spark.executorEnv.TC_PUSHGATEWAY="$PGW" \
  "$HERE/pyspark_app.py" "$WORK/expected.json" "$SMALL" "$LARGE" "$FAULT"
DRIVER_PID=$!

fault_tasks_ready() {
  kill -0 "$DRIVER_PID" 2>/dev/null || die "the driver ended before the fault phase (see $WORK/driver.log)"
  [[ $(find "$WORK/fault" -name 'ready-*' | wc -l) -ge $FAULT ]]
}
wait_for "the fault phase's $FAULT tasks" 300 fault_tasks_ready
# Every task holds its first half, acknowledged, and the executors' accumulators are mid-flush. Stop at
# once, without waiting for Prometheus to scrape: what the old aggregator applied after its last scrape
# must reach Prometheus through the state file the new one restores.
log "fault: SIGTERM to the aggregator while $FAULT tasks run"
t=$(date +%s%3N)
kill -TERM "$AGG_PID"
set +e; wait "$AGG_PID"; AGG_EXIT=$?; set -e
forget "$AGG_PID"
STOP_S=$(python3 -c "print(($(date +%s%3N) - $t) / 1000)")
start_aggregator aggregator-restarted
SAVED=$(sed -n 's/.* saved \([0-9]*\) series .*/\1/p' "$WORK/aggregator.log")
RESTORED=$(sed -n 's/.* restored \([0-9]*\) series .*/\1/p' "$WORK/aggregator-restarted.log")
echo "{\"exit_code\": $AGG_EXIT, \"stop_s\": $STOP_S, \"sigterm_ms\": $t, \"saved\": ${SAVED:-0}, \"restored\": ${RESTORED:-0}}" \
  >"$WORK/restart.json"
log "fault: old aggregator exited $AGG_EXIT after ${STOP_S}s, new one started on the same socket"
touch "$WORK/fault/go"

driver_done() { ! kill -0 "$DRIVER_PID" 2>/dev/null; }
wait_for "the Spark job to finish" 300 driver_done
set +e; wait "$DRIVER_PID"; DRIVER_EXIT=$?; set -e
forget "$DRIVER_PID"
[[ $DRIVER_EXIT -eq 0 ]] || die "the Spark driver failed with exit $DRIVER_EXIT (see $WORK/driver.log)"
JOB_S=$(($(date +%s) - T0))
# executors flush on shutdown; wait for a scrape a little after the application stopped
STOPPED_MS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['stopped_ms'])" "$WORK/expected.json")
sleep 3
python3 "$HERE/check.py" wait-scrape "$PROM" pidless "$((STOPPED_MS + 3000))" 15 || die "no scrape after the job"
python3 "$HERE/check.py" wait-scrape "$PROM" pushgateway "$((STOPPED_MS + 3000))" 15 || die "no pushgateway scrape after the job"

# --- the ephemeral node: an aggregator nobody scrapes, that only remote-writes, then vanishes --------
# Its state file is in the directory that is deleted, as on a destroyed machine: what Prometheus has
# must have come through remote_write, the last of it through the final push at SIGTERM.
EPH="$WORK/ephemeral"
mkdir -p "$EPH"
start aggregator-ephemeral "$JAVA" "${AGG_JVM[@]}" -jar "$AGG_JAR" --socket "$EPH/p.sock" --listen 127.0.0.1:0 --remote-write-url "$PROM/api/v1/write" \
  --remote-write-interval 1s --external-label node=ephemeral-1
EPH_PID=$!
wait_for "the ephemeral aggregator" 30 grep -q "metrics at http" "$WORK/aggregator-ephemeral.log"
PIDLESS_SOCKET="$EPH/p.sock" PYTHONPATH="$CLIENT_PY" "$PYTHON" "$HERE/ephemeral_worker.py" "$WORK/ephemeral.json" 4 \
  >"$WORK/ephemeral-worker.log" 2>&1 || die "the ephemeral node's workers failed (see $WORK/ephemeral-worker.log)"
kill -TERM "$EPH_PID"
set +e; wait "$EPH_PID"; EPH_EXIT=$?; set -e
forget "$EPH_PID"
[[ $EPH_EXIT -eq 0 ]] || die "the ephemeral aggregator exited $EPH_EXIT (see $WORK/aggregator-ephemeral.log)"
grep -q "final remote write push delivered" "$WORK/aggregator-ephemeral.log" ||
  die "the ephemeral aggregator's final push did not get through (see $WORK/aggregator-ephemeral.log)"
rm -rf "$EPH"
log "ephemeral node: stopped and its directory deleted"

if ! python3 "$HERE/check.py" report "$PROM" "$WORK/expected.json" "$WORK/restart.json" "$WORK/ephemeral.json"; then
  log "pidless warnings the executors and their Python workers logged (count, message):"
  cat "$WORK"/work*/app-*/*/stderr | grep -o 'pidless: .*' | sed 's/ at [^ ]*p\.sock/ at SOCKET/' | sort | uniq -c >&9 || true
  exit 1
fi
log "finished in $(($(date +%s) - T0))s (cluster and job: ${JOB_S}s)"
