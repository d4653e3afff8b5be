"""Sphinx configuration: API reference from the docstrings, CLI help and a gallery rendered at build time.

Build with warnings as errors: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "_generated"

project = "reelforge"
author = "The reelforge developers"
copyright = "2026, The reelforge developers (GPL-2.0-or-later)"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
napoleon_google_docstring = True
napoleon_numpy_docstring = True
napoleon_use_ivar = True  # "Attributes:" as fields, not duplicate object entries
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_mock_imports: list[str] = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
suppress_warnings = ["ref.python"]  # cross references to numpy/PIL types we do not link


def _cli_help() -> None:
    """reelforge --help and each subcommand's help, as literal includes."""
    GENERATED.mkdir(exist_ok=True)
    for name, args in (("main", []), ("render", ["render"]), ("still", ["still"]), ("demo", ["demo"]),
                         ("batch", ["batch"]), ("validate", ["validate"])):
        out = subprocess.run([sys.executable, "-m", "reelforge", *args, "--help"], capture_output=True,
                             text=True, check=True, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"}).stdout
        (GENERATED / f"cli_{name}.txt").write_text(out)


def _gallery() -> None:
    """Render each example scene of gallery.py to a PNG thumbnail (the docs build fails if one fails)."""
    sys.path.insert(0, str(HERE))
    import gallery
    GENERATED.mkdir(exist_ok=True)
    import reelforge as rf
    lines = ["Gallery", "=======", "", "Example scenes from ``docs/gallery.py``, rendered while the docs were built.", ""]
    for name, (build, t, doc) in gallery.EXAMPLES.items():
        rf.export_still(build(), t, GENERATED / f"gallery_{name}.png")
        lines += [name.replace("_", " ").capitalize(), "-" * len(name), "", doc, "",
                  f".. image:: _generated/gallery_{name}.png", f"   :alt: {name}", "",
                  f".. literalinclude:: gallery.py", f"   :pyobject: {build.__name__}", ""]
    (HERE / "gallery.rst").write_text("\n".join(lines))


def setup(app):
    _cli_help()
    _gallery()
