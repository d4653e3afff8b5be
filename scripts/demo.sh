#!/usr/bin/env bash
# Installs what is needed (scripts/install.sh) and renders the demo to out/demo.mp4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
mkdir -p out
exec ${PYTHON:-python3} -m reelforge demo -o out/demo.mp4 "$@"
