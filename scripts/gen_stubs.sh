#!/usr/bin/env bash
# Regenerates python/reelforge/_core.pyi from the built bindings (pybind11-stubgen, see
# scripts/gen_stubs.py). Run after changing src/bindings: installs the tree first (incremental).
# Usage: scripts/gen_stubs.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ "${1:-}" = "--no-install" ] || bash scripts/install.sh
exec "$PY" scripts/gen_stubs.py
