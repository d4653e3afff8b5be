#!/usr/bin/env bash
# Installs what is needed (scripts/install.sh), runs the C++ unit tests (tests/cpp, CTest; built
# with the extension in install.sh's build folder), then the whole Python test suite.
# A failing C++ test fails the command before pytest starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
PY=${PYTHON:-python3}
BUILD_DIR=$(bash scripts/install.sh --print-build-dir)
CMAKE_BIN=$($PY -c 'import cmake; print(cmake.CMAKE_BIN_DIR)')
echo "[test] C++ unit tests: ctest in $BUILD_DIR"
"$CMAKE_BIN/ctest" --test-dir "$BUILD_DIR" --output-on-failure
exec "$PY" -m pytest tests "$@"
