#!/usr/bin/env bash
# Measures the aggregator against its performance targets: ingest (beside a raw sink), connection
# churn, scrape time and heap per series, each against a fresh aggregator process, and prints one
# summary table. Exit 0: every target met; 1: a target missed; 2: a run failed or scraped totals did
# not match what was ACKed.
#
#   bench/ingest/run.sh                     # the full measurement, medians of 3 runs (about 12 minutes)
#   bench/ingest/run.sh --quick             # smoke run at a tenth of the scale (about 2 minutes)
#   bench/ingest/run.sh --only ingest --repeats 1
#   bench/ingest/run.sh --only scrape,scrape-acks   # scrape time; ingest ACK p99 during 20 scrapes (deploy/'s JVM options)
#   bench/ingest/run.sh --only footprint --repeats 1   # resident memory under deploy/'s JVM options
#
# PIDLESS_AGGREGATOR_JAR: the aggregator to measure (default ../../aggregator/target/pidless-aggregator.jar
# relative to this script). PIDLESS_AGGREGATOR_JVM_OPTS: its JVM options (default -Xmx2g).
# PIDLESS_DEPLOY_ENV: the env file whose PIDLESS_JAVA_OPTS the footprint scenario runs with (default
# deploy/systemd/pidless.env of this checkout). PIDLESS_BENCH_JAR: the load generator (default target/pidless-bench-ingest.jar next to this script).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
aggregator_jar="${PIDLESS_AGGREGATOR_JAR:-$here/../../aggregator/target/pidless-aggregator.jar}"
bench_jar="${PIDLESS_BENCH_JAR:-$here/target/pidless-bench-ingest.jar}"
jvm_opts="${PIDLESS_AGGREGATOR_JVM_OPTS:--Xmx2g}"
export PIDLESS_DEPLOY_ENV="${PIDLESS_DEPLOY_ENV:-$here/../../deploy/systemd/pidless.env}"

if [[ ! -f "$aggregator_jar" ]]; then
  echo "run.sh: no aggregator jar at $aggregator_jar; build it (cd $here/../.. && mvn -B -pl aggregator -am package -DskipTests) or set PIDLESS_AGGREGATOR_JAR" >&2
  exit 2
fi
if [[ ! -f "$bench_jar" ]]; then
  echo "run.sh: no load generator at $bench_jar; build it (cd $here/../.. && mvn -B -Pbench -pl bench/ingest -am package -DskipTests)" >&2
  exit 2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "aggregator: $aggregator_jar ($(sha256sum "$aggregator_jar" | cut -c1-12))"
repeats=(--repeats 3)
for a in "$@"; do
  [[ "$a" == "--repeats" ]] && repeats=()
done
exec java -jar "$bench_jar" --aggregator-jar "$aggregator_jar" --aggregator-jvm-opts "$jvm_opts" "${repeats[@]}" "$@"
