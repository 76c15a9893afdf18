#!/usr/bin/env bash
# Runs every test of the project: `mvn verify` over all modules (Java and Python), then the end-to-end
# run of test-cluster/ (a real Spark standalone cluster and a real Prometheus).
# The tests use promtool (Debian package `prometheus`), the Pushgateway (`prometheus-pushgateway`),
# kubectl (`kubernetes-client`) and npm (`nodejs`, `npm`) for deploy/'s Kubernetes schema check,
# and, for client-py's prometheus_client drop-in tests, `python3-prometheus-client` and `gunicorn`;
# when they are missing and we are root, they are installed, else the command to do so is printed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-pushgateway >/dev/null 2>&1 || missing+=(prometheus-pushgateway)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Either python3 on PATH or Debian's /usr/bin/python3 (client-py/tests/prometheus_python.py).
has_module() { python3 -c "import $1" 2>/dev/null || /usr/bin/python3 -c "import $1" 2>/dev/null; }
has_module prometheus_client || missing+=(python3-prometheus-client)
has_module gunicorn || missing+=(gunicorn)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "test.sh: the tests need ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

mvn -B verify "$@"
test-cluster/run.sh
