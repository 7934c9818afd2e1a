#!/usr/bin/env bash
# The NAPALM driver as a distribution of its own: a wheel of napalm-frr (packaging/napalm-frr/pyproject.toml)
# built from a copy of the package napalm_frr/ (nothing of muronet goes in), into OUT (default build/dist).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-build/dist}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp packaging/napalm-frr/pyproject.toml packaging/napalm-frr/README.md LICENSE "$work/"
cp -r napalm_frr "$work/napalm_frr"
find "$work/napalm_frr" -name __pycache__ -prune -exec rm -rf {} +
mkdir -p "$out"
"${PYTHON:-.venv/bin/python}" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$out" "$work"
ls "$out"/napalm_frr-*.whl
