"""Packaging: metadata and extras, import without a Vulkan driver, and (opt-in) the relocatable wheel.

The wheel test builds ``scripts/build_wheel.sh`` (or takes ``REELFORGE_WHEEL=path/to.whl``), installs
it with ``[all]`` into a fresh venv without system site-packages, checks with ``ldd`` that the
extension resolves every non-system library inside the wheel, then renders a frame and exports a
clip there. It takes several minutes (a build plus a venv with dask), so it runs only with
``REELFORGE_TEST_WHEEL=1`` or ``REELFORGE_WHEEL`` set.
"""
from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Libraries every manylinux system provides (the PEP 599/600 policy list) plus the Vulkan loader,
#: which must stay the system's so that it finds the system's drivers. Whatever these need in turn
#: (libxcb for libX11, libffi for glib, ...) is the system's too.
SYSTEM_LIBS = re.compile(r"^(linux-vdso|ld-linux-x86-64|libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|"
                         r"libX11|libXext|libXrender|libICE|libSM|libGL|libgobject-2\.0|libgthread-2\.0|"
                         r"libglib-2\.0|libresolv|libexpat|libz|libcrypt|libnsl|libutil|libvulkan)\.so")


def test_metadata_declares_license_dependencies_and_extras():
    meta = md.metadata("reelforge")
    assert meta["License"] == "GPL-2.0-or-later"
    assert "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)" in meta.get_all("Classifier")
    assert meta["Author"] or meta["Author-email"]
    extras = set(meta.get_all("Provides-Extra"))
    assert {"notebook", "testing", "distributed", "all", "test"} <= extras
    reqs = meta.get_all("Requires-Dist")
    assert any(r.lower().startswith("pillow") and "extra" not in r for r in reqs)  # a runtime dependency
    for extra, pkg in (("notebook", "ipywidgets"), ("notebook", "ipython"), ("testing", "scikit-image"),
                       ("distributed", "dask[distributed]")):
        assert any(r.startswith(pkg) and f'extra == "{extra}"' in r for r in reqs), (extra, pkg)
    assert (ROOT / "LICENSE").read_text().count("GNU GENERAL PUBLIC LICENSE") >= 1
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])  # [project.urls]
    assert {"Homepage", "Documentation", "Repository", "Issues"} <= set(urls), urls
    assert all(u.startswith("https://") for u in urls.values()), urls


@pytest.mark.parametrize("variable", ["VK_ICD_FILENAMES", "VK_DRIVER_FILES"])
def test_import_works_without_a_vulkan_driver_and_render_names_the_fix(tmp_path, variable):
    """No driver at all (the loader finds none): import works,
    and the first render, whether a Renderer or a video export, raises GpuError naming what to
    install. Either variable alone hides the system's drivers from the loader."""
    env = {k: v for k, v in os.environ.items() if k not in ("VK_ICD_FILENAMES", "VK_DRIVER_FILES")}
    env[variable] = "/nonexistent"
    code = textwrap.dedent("""
        import os, reelforge as rf
        print("imported", rf.__version__)
        s = rf.Scene(16, 16, fps=1, duration=1)
        for what, render in (("renderer", lambda: rf.Renderer(s)),
                             ("export", lambda: rf.Exporter(s, "out.mp4").run())):
            try:
                render()
                print(what, "rendered")
            except rf.GpuError as e:
                print(what, "GpuError:", e)
        print("left", sorted(os.listdir(".")))
    """)
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("imported")
    for what, line in zip(("renderer", "export"), lines[1:3]):
        assert line.startswith(f"{what} GpuError:"), r.stdout
        msg = line.split("GpuError:", 1)[1]
        assert "Vulkan" in msg and "mesa-vulkan-drivers" in msg and "lavapipe" in msg, msg
        assert "NVIDIA" in msg and "GPU vendor" in msg, msg
    assert lines[3] == "left []", r.stdout  # no partial output file


def test_import_leaves_the_distributed_module_for_first_use():
    """`import reelforge` does not load reelforge.distributed (asyncio, ssl, uuid: resident memory a
    plain export never needs); `rf.distributed`, `rf.SegmentFailed`, `from reelforge import
    SegmentFailed` and `from reelforge import *` still give the very same objects."""
    code = textwrap.dedent("""
        import sys, reelforge as rf
        print(sorted(m for m in ("reelforge.distributed", "asyncio", "ssl", "uuid") if m in sys.modules))
        from reelforge import SegmentFailed
        import reelforge.distributed as d
        ns = {}
        exec("from reelforge import *", ns)
        print(SegmentFailed is d.SegmentFailed is rf.SegmentFailed is ns["SegmentFailed"],
              rf.distributed is d, issubclass(SegmentFailed, rf.ReelforgeError), hasattr(rf, "no_such_name"))
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["[]", "True True True False"], r.stdout


def test_build_wheel_script_parses():
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / "build_wheel.sh")]).returncode == 0


def _ldd(path: Path) -> list[tuple[str, str]]:
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout
    pairs = []
    for line in out.splitlines():
        line = line.strip()
        if "=>" in line:
            name, _, rest = line.partition("=>")
            pairs.append((name.strip(), rest.strip().split(" (")[0]))
        elif line:
            pairs.append((line.split()[0], line.split()[0]))
    return pairs


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    given = os.environ.get("REELFORGE_WHEEL")
    if given:
        return Path(given)
    if not os.environ.get("REELFORGE_TEST_WHEEL"):
        pytest.skip("slow (several minutes): set REELFORGE_TEST_WHEEL=1 to build and test the relocatable wheel, "
                    "or REELFORGE_WHEEL=path/to.whl to test a built one")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(["bash", str(ROOT / "scripts" / "build_wheel.sh")], cwd=ROOT, check=True, timeout=3600,
                   env=dict(os.environ, PYTHON=sys.executable, OUT_DIR=str(out)))
    (whl,) = out.glob("reelforge-*manylinux*.whl")
    return whl


def test_wheel_is_relocatable_and_renders(wheel, tmp_path):
    assert "manylinux" in wheel.name
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", f"{wheel}[all]"], check=True, timeout=1800)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (ext,) = (site / "reelforge").glob("_core*.so")
    libs = _ldd(ext)
    assert not [n for n, p in libs if p == "not found"], libs
    system = {p for n, p in libs if SYSTEM_LIBS.match(os.path.basename(n))}
    system_deps = {p for lib in system if os.path.isfile(lib) for _, p in _ldd(Path(lib))}
    outside = [(n, p) for n, p in libs
               if p not in system and p not in system_deps and not p.startswith(str(site))]
    assert outside == [], f"libraries resolved outside the wheel: {outside}"
    bundled = [n for n, p in libs if p.startswith(str(site))]
    assert any(n.startswith("libavcodec") for n in bundled) and any(n.startswith("libharfbuzz") for n in bundled)
    assert not any(n.startswith("libvulkan") for n in bundled)  # the system's loader, the system's drivers
    assert list(site.glob("reelforge-*.dist-info/licenses/third_party/*.copyright"))
    script = textwrap.dedent("""
        import reelforge as rf, subprocess, sys
        assert "site-packages" in rf.__file__, rf.__file__
        s = rf.Scene(64, 48, fps=12, duration=1.0, background="teal")
        s.add_solid("orange", x=8, y=8, width=24, height=16)
        f = rf.Renderer(s).render_frame(0)
        assert tuple(f[16, 16]) == (255, 165, 0, 255), f[16, 16]
        r = rf.Exporter(s, "clip.mp4").run()
        print("exported", r.frames, r.encoder)
    """)
    r = subprocess.run([str(py), "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")})
    assert r.returncode == 0, r.stderr
    assert "exported 12 libx264" in r.stdout or "exported 12 " in r.stdout
    from avprobe import probe, stream
    assert int(stream(probe(tmp_path / "clip.mp4"), "video")["nb_read_packets"]) == 12
