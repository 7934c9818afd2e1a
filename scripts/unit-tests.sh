#!/usr/bin/env bash
# The unit tier (tests/unit and the modules' doctests): no root, no twin, no NetBox, no browser,
# with coverage. Run as root (CI, `make test`), it runs as the unprivileged user `nobody` with an
# empty environment, which proves the tier needs nothing more than a contributor's laptop has.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-m pytest -n 2 -p no:cacheprovider tests/unit muronet napalm_frr
      --cov=muronet --cov=napalm_frr --cov-report=term:skip-covered "$@")
if [ "$(id -u)" != 0 ]; then
    mkdir -p build
    exec env COVERAGE_FILE="${COVERAGE_FILE:-build/.coverage}" .venv/bin/python "${args[@]}"
fi
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chown nobody "$home"
runuser -u nobody -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$home" LANG=C.UTF-8 \
    COVERAGE_FILE="$home/.coverage" PYTHONDONTWRITEBYTECODE=1 .venv/bin/python "${args[@]}"
