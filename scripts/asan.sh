#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run (issue 10): builds the core, the C++ tests and
# the _core extension with -fsanitize=address,undefined (CMake option REELFORGE_SANITIZE, folder
# build/asan, incremental), then runs the C++ tests and a representative slice of the Python suite
# against that extension (PYTHONPATH, libasan preloaded into the unsanitized python).
# Any report fails the run: ASan stops at the first error, UBSan is built -fno-sanitize-recover.
# Needs scripts/install.sh to have run (system packages, pybind11, cmake, ninja, test extras).
# Usage: scripts/asan.sh [extra pytest args]   (ASAN_PYTEST_SLICE overrides the test selection)
# Cost (measured on the 2-core dev machine shared with other builds, load ~18): first build
# 3 min 48 s of CPU (19 min wall under that load; incremental afterwards), C++ tests 4 s, Python
# slice 264 tests in 273 s wall / 1 min 43 s CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
BUILD=build/asan
t0=$(date +%s)
CMAKE_BIN=$($PY -c 'import cmake; print(cmake.CMAKE_BIN_DIR)')
"$CMAKE_BIN/cmake" -S . -B "$BUILD" -G Ninja --log-level=WARNING \
  -DCMAKE_BUILD_TYPE=ASan -DCMAKE_CXX_FLAGS_ASAN="-O1 -g1" \
  -DREELFORGE_SANITIZE=ON -DREELFORGE_TESTS=ON \
  -DPython_EXECUTABLE="$(command -v "$PY")" -Dpybind11_DIR="$($PY -m pybind11 --cmakedir)" >/dev/null
echo "[asan] building (ASan + UBSan) in $BUILD"
"$CMAKE_BIN/cmake" --build "$BUILD" --target _core reelforge_tests sanitizer_canary >"$BUILD/build.log" 2>&1 \
  || { tail -n 60 "$BUILD/build.log"; echo "[asan] build failed (log: $BUILD/build.log)"; exit 1; }
t1=$(date +%s)

# The sanitized extension next to the pure-Python sources, first on PYTHONPATH.
SITE=$BUILD/site
rm -rf "$SITE" && mkdir -p "$SITE"
cp -r python/reelforge "$SITE/"
rm -f "$SITE"/reelforge/_core*.so
cp "$BUILD"/_core*.so "$SITE/reelforge/"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# C++ tests: leak checking on (our own code, no interpreter).
echo "[asan] C++ unit tests"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  "$CMAKE_BIN/ctest" --test-dir "$BUILD" --output-on-failure
t2=$(date +%s)

# Python slice: CPython and numpy keep allocations alive until exit by design, so leak detection
# is off here (detect_leaks=0); every other ASan/UBSan check is on and stops the run. libstdc++ is
# preloaded too: python does not link it, and ASan's __cxa_throw interceptor must find it at start
# (else the first C++ exception aborts with "CHECK failed: real___cxa_throw"). Reports go to files
# (pytest captures fd 2, and a process stopped by ASan cannot hand its capture back).
# The older pipeline tests plus the render graph, effects, shapes, time remap, text, audio
# dynamics and transitions (their C++ is new; 273 tests, about 3.5 min under ASan).
SLICE=${ASAN_PYTEST_SLICE:-tests/test_render.py tests/test_export.py tests/test_text.py tests/test_audio_mix.py tests/test_scene_errors.py
  tests/test_graph.py tests/test_effects.py tests/test_shapes.py tests/test_time_remap.py tests/test_typography.py
  tests/test_subtitles.py tests/test_audio_dynamics.py tests/test_transitions.py}
REPORTS=$BUILD/reports
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
export LD_PRELOAD="$(g++ -print-file-name=libasan.so) libstdc++.so.6" PYTHONPATH=$SITE
# Make sure the slice tests the sanitized extension, not the installed one...
ASAN_OPTIONS=detect_leaks=0 "$PY" -c "import os, sys, reelforge._core as c; sys.exit(0 if os.path.realpath(c.__file__).startswith(os.path.realpath('$SITE')) else 'not the sanitized _core: ' + c.__file__)"
# ...and that libasan is live in it: a numpy buffer overrun through ctypes must be reported.
if ASAN_OPTIONS=detect_leaks=0 "$PY" -c "import ctypes, numpy as np; a = np.zeros(4096, np.uint8); ctypes.memset(a.ctypes.data, 0, 4160)" 2>/dev/null; then
  echo "[asan] libasan is not active in python (LD_PRELOAD=$LD_PRELOAD)"; exit 1
fi
export ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:log_path=$REPORTS/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan
echo "[asan] Python slice: $SLICE"
status=0
# shellcheck disable=SC2086
"$PY" -m pytest $SLICE -q -p no:cacheprovider "$@" || status=$?
t3=$(date +%s)
if compgen -G "$REPORTS/*" >/dev/null; then
  echo "[asan] sanitizer reports (pytest exit $status):"
  cat "$REPORTS"/*
  exit 1
fi
[ "$status" = 0 ] || { echo "[asan] Python slice failed (exit $status)"; exit "$status"; }
echo "[asan] clean: build $((t1 - t0)) s, C++ tests $((t2 - t1)) s, Python slice $((t3 - t2)) s"
