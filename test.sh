#!/usr/bin/env bash
# Runs every test of the project, Java and Python: `mvn verify` over all modules.
# The tests use promtool (Debian package `prometheus`) to validate the exposition and the deploy
# rules; when it is missing and we are root, it is installed, else the command to do so is printed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "test.sh: the tests need ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

exec mvn -B verify "$@"
