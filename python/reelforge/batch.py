"""Data-driven rendering from the command line: JSON scenes for ``render``/``still`` and ``batch``.

* ``reelforge render scene.json -o out.mp4 --set title="Hello"``: a JSON scene
  (:mod:`reelforge.serialize`) with template variables; its ``"export"`` settings apply, options
  given on the command line win.
* ``reelforge validate scene.json``: every schema problem with its JSON path, or "valid".
* ``reelforge batch template.json rows.csv -o "out/{id}.mp4"``: one video per CSV row. Each row's
  columns are the template's variables (over ``--set`` values and the document's defaults) and
  fill the ``{column}`` fields of the output pattern (``{row}``: the 1-based row number). Each row
  is a separate export; a row that fails is reported (row number, CSV line, error) and the others
  continue. The exit status is 0 when every row was rendered, 1 otherwise; a summary line ends
  the run (``--report`` also writes it as JSON).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import string
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .errors import SceneError

__all__ = ["parse_set", "load_cli_scene", "with_scene_settings", "add_batch_parser", "run_batch", "read_rows",
           "output_path", "RowResult", "add_validate_parser", "run_validate"]


def parse_set(items: list[str] | None) -> dict[str, str]:
    """``["name=value", ...]`` (``--set`` options) as a dict. Raises SceneError for an item
    without ``=`` or with an empty name."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SceneError(f"--set {item!r}: expected NAME=VALUE (e.g. --set title=\"Hello\")")
        out[name.strip()] = value
    return out


def is_json_scene(path: str) -> bool:
    """Whether the command line's scene argument names a JSON document (by extension)."""
    return path.lower().endswith(".json")


def load_cli_scene(script: str, scene_name: str, sets: list[str] | None,
                   load_script: Callable[[str, str], Any]) -> Any:
    """The scene a ``render``/``still`` command names: a JSON document (with ``--set`` variables)
    or a Python script (through ``load_script``; ``--set`` is refused there)."""
    if is_json_scene(script):
        from .serialize import load
        return load(script, variables=parse_set(sets))
    if sets:
        raise SceneError("--set fills ${name} variables of a .json scene; a Python script reads its own settings")
    return load_script(script, scene_name)


#: Exporter arguments that stand for one choice: the command line giving one replaces the
#: document's whole group.
_GROUPS = (("crf", "quality"), ("frames", "time_range"))


def with_scene_settings(scene: Any, kw: dict[str, Any]) -> dict[str, Any]:
    """Exporter keyword arguments: the scene's ``export_settings`` (a JSON document's
    ``"export"``) overridden by the command line's ``kw`` (values that are None were not given),
    then the command line's defaults (preset ``veryfast``, encoder ``auto``)."""
    out = dict(getattr(scene, "export_settings", None) or {})
    given = {k: v for k, v in kw.items() if v is not None}
    for group in _GROUPS:
        if any(k in given for k in group):
            for k in group:
                out.pop(k, None)
    out.update(given)
    out.setdefault("preset", "veryfast")
    out.setdefault("encoder", "auto")
    return out


# -- validate ----------------------------------------------------------------------------------

def add_validate_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``validate`` subcommand: check a JSON scene without rendering it."""
    v: argparse.ArgumentParser = sub.add_parser(
        "validate", help="check a JSON scene document against the schema and build it, without rendering",
        description="Check SCENE.json: every schema problem with its JSON path, then the scene is built (media "
                    "probed, keyframes and per-frame lists checked). Exit status 0 when valid, 1 otherwise.")
    v.add_argument("scene", help="JSON scene document (reelforge.serialize)")
    v.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="fill the ${NAME} template variable (repeatable)")
    v.add_argument("-v", "--verbose", action="count", default=0, help="show diagnostics: -v info, -vv debug")
    v.add_argument("-q", "--quiet", action="store_true", help="no summary line when valid; problems only")
    return v


def run_validate(args: argparse.Namespace) -> int:
    """Print every schema problem of ``args.scene`` (after templating), else build and compile
    it (semantic errors raise, as in ``render``); returns the exit status."""
    from .serialize import from_dict, problems, read_json
    doc = read_json(args.scene)
    variables = parse_set(args.set)
    found = problems(doc, variables=variables)
    for p in found:
        print(f"{args.scene}: {p}", file=sys.stderr)
    if found:
        return 1
    scene = from_dict(doc, variables=variables, base_dir=os.path.dirname(os.path.abspath(args.scene)))
    scene.compile()
    if not args.quiet:
        print(f"{args.scene}: valid: {scene.width}x{scene.height}, {scene.frame_count} frames at {scene.fps} fps, "
              f"{len(scene.layers)} layers, {len(scene.audio)} audio clips")
    return 0


# -- batch -------------------------------------------------------------------------------------

def add_batch_parser(sub: Any, add_scene_options: Callable[..., None],
                     add_encode_options: Callable[[argparse.ArgumentParser], None]) -> argparse.ArgumentParser:
    """The ``batch`` subcommand (its scene and encoding options are the ``render`` command's)."""
    b: argparse.ArgumentParser = sub.add_parser(
        "batch", help="render one video per row of a CSV file from a JSON template",
        description="Render TEMPLATE.json once per row of ROWS.csv: the row's columns fill the template's ${name} "
                    "variables and the {column} fields of -o. Each row is a separate export; failed rows are "
                    "reported and the others continue (exit status 1 if any row failed).")
    b.add_argument("template", help="JSON scene document with ${name} variables (reelforge.serialize)")
    b.add_argument("rows", help="CSV file with a header row; each column is a variable (UTF-8)")
    b.add_argument("-o", "--output", required=True, metavar="PATTERN",
                   help="output path per row with {column} fields from the row and {row} (1-based row number), "
                        "e.g. 'out/{id}.mp4'; folders are created; must differ between rows")
    b.add_argument("--report", metavar="PATH", help="also write the per-row results as JSON to PATH")
    add_scene_options(b, script=False)
    b.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="a template variable for every row (repeatable); CSV columns of the same name win")
    add_encode_options(b)
    return b


def read_rows(path: str) -> list[dict[str, str]]:
    """The rows of a CSV file with a header, as dicts. Raises FileNotFoundError, SceneError (no
    header, an empty or duplicate column name, a row with more cells than the header)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise SceneError(f"{path}: empty CSV file; the first line must name the columns")
            names = [h.strip() for h in header]
            if any(not n for n in names) or len(set(names)) != len(names):
                raise SceneError(f"{path}: the header {header!r} has an empty or repeated column name")
            rows = []
            for row in reader:
                if None in row:
                    raise SceneError(f"{path}:{reader.line_num}: more cells than the header's {len(names)} columns")
                rows.append({n: (row[h] or "") for n, h in zip(names, header)})
    except FileNotFoundError:
        raise FileNotFoundError(f"CSV file not found: {path!r}") from None
    except UnicodeDecodeError as e:
        raise SceneError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except csv.Error as e:
        raise SceneError(f"{path}: invalid CSV: {e}") from None
    return rows


def output_path(pattern: str, row: dict[str, str], number: int) -> str:
    """``pattern`` with ``{column}`` fields filled from ``row`` (and ``{row}`` = ``number``).
    Raises SceneError for a field that is not a column."""
    fields = {"row": str(number), **row}
    try:
        return pattern.format_map(fields)
    except KeyError as e:
        raise SceneError(f"-o {pattern!r}: {{{e.args[0]}}} is not a column of the CSV file "
                         f"(columns: {', '.join(row)}; and {{row}})") from None
    except (ValueError, IndexError) as e:
        raise SceneError(f"-o {pattern!r}: invalid pattern ({e}); use {{column}} fields, {{{{ for a brace") from None


def _pattern_fields(pattern: str) -> set[str]:
    return {f for _t, f, _s, _c in string.Formatter().parse(pattern) if f}


class RowResult(dict[str, Any]):
    """One row's outcome: ``row`` (1-based), ``line`` (CSV line), ``output``, ``ok``, ``error``,
    ``seconds``, ``frames``."""


def run_batch(args: argparse.Namespace, render: Callable[[Any, argparse.Namespace], Any]) -> int:
    """Render every row (see the module documentation); ``render(scene, args)`` exports one
    scene to ``args.output``. Returns the exit status."""
    from .serialize import from_dict, read_json
    doc = read_json(args.template)
    if not isinstance(doc, dict):
        raise SceneError(f"{args.template}: a scene document must be a JSON object")
    base_dir = os.path.dirname(os.path.abspath(args.template))
    rows = read_rows(args.rows)
    if not rows:
        raise SceneError(f"{args.rows}: no rows after the header; nothing to render")
    sets = parse_set(args.set)
    fields = _pattern_fields(args.output)
    if not fields:
        raise SceneError(f"-o {args.output!r} has no {{column}} field, so every row would overwrite the same file; "
                         f"use e.g. 'out/{{row}}.mp4'")
    outputs: dict[str, int] = {}
    results: list[RowResult] = []
    quiet = args.quiet
    for number, row in enumerate(rows, start=1):
        res = RowResult(row=number, line=number + 1, output=None, ok=False, error=None, seconds=0.0, frames=0)
        t0 = time.monotonic()
        try:
            out = output_path(args.output, row, number)
            res["output"] = out
            if out in outputs:
                raise SceneError(f"output {out!r} is also row {outputs[out]}'s; make -o differ per row")
            outputs[out] = number
            scene = from_dict(doc, variables={**sets, **row}, base_dir=base_dir)
            r = render(scene, argparse.Namespace(**{**vars(args), "output": out, "quiet": True}))
            res.update(ok=True, frames=int(getattr(r, "frames", 0)))
        except KeyboardInterrupt:
            raise
        except Exception as e:  # noqa: BLE001 - one row's failure must not stop the batch
            res["error"] = f"{type(e).__name__}: {e}"
        res["seconds"] = round(time.monotonic() - t0, 3)
        results.append(res)
        _print_row(res, len(rows), quiet)
    failed = [r for r in results if not r["ok"]]
    summary = (f"batch: {len(results) - len(failed)} of {len(results)} rows rendered"
               + (f", {len(failed)} failed (rows {', '.join(str(r['row']) for r in failed)})" if failed else ""))
    if failed or not quiet:
        print(summary, file=sys.stderr if failed else sys.stdout)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps({"summary": summary, "rows": results}, indent=2) + "\n")
    return 1 if failed else 0


def _print_row(res: RowResult, total: int, quiet: bool) -> None:
    head = f"[{res['row']}/{total}]"
    if res["ok"]:
        if not quiet:
            print(f"{head} wrote {res['output']}: {res['frames']} frames in {res['seconds']:.2f} s", flush=True)
    else:
        print(f"{head} row {res['row']} (CSV line {res['line']}) failed: {res['error']}", file=sys.stderr, flush=True)
