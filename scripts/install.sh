#!/usr/bin/env bash
# Installs everything reelforge needs on a fresh Debian 12 machine, idempotently:
# system libraries (apt) once, then the Python package itself (pip, incremental CMake build).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
# One CMake build folder per interpreter; it also holds the C++ tests (tests/cpp) that
# scripts/test.sh runs with CTest, so they are built once, with the extension.
BUILD_DIR=build/$($PY -c 'import sys; print(sys.implementation.cache_tag)')
if [ "${1:-}" = "--print-build-dir" ]; then echo "$BUILD_DIR"; exit 0; fi

APT_PACKAGES=(
  build-essential pkg-config
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg
  libvulkan-dev mesa-vulkan-drivers glslc
  libeigen3-dev libharfbuzz-dev libfreetype-dev
  doctest-dev fonts-dejavu-core
  libavfilter-dev libshaderc-dev libcairo2-dev librsvg2-dev
  libfribidi-dev libunibreak-dev libass-dev libebur128-dev
  fonts-wqy-microhei
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "[install] apt: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Build requirements installed up front so the build can run without isolation and reuse build/.
$PY -m pip install -q --disable-pip-version-check "scikit-build-core>=0.10" "pybind11>=2.12" "cmake>=3.20" ninja numpy
echo "[install] building reelforge (incremental, build dir $BUILD_DIR)"
$PY -m pip install -q --disable-pip-version-check --no-build-isolation \
  -C build-dir="$BUILD_DIR" -C cmake.define.REELFORGE_TESTS=ON ".[test]"
