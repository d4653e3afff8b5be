"""The HTML summary of golden-frame failures written by ``pytest --reelforge-report FILE``."""
from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FailureRecord:
    """One failed golden comparison: test, golden file, messages and artefact files."""

    nodeid: str
    golden: Path
    message: str
    artifacts: dict[str, Path] = field(default_factory=dict)


def _img(path: Path | None, label: str) -> str:
    if path is None or not Path(path).is_file():
        return f"<td class=missing>no {html.escape(label)}</td>"
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (f'<td><a href="file://{html.escape(os.fspath(Path(path).resolve()))}">'
            f'<img alt="{html.escape(label)}" src="data:image/png;base64,{data}"></a></td>')


def write_report(path: "str | os.PathLike[str]", failures: list[FailureRecord], unused: list[Path],
                 duplicates: list[str]) -> Path:
    """Write a self-contained HTML page (images embedded): one row golden | actual | diff per
    failure, then the duplicate golden names and the goldens no test used. Returns the path."""
    rows = []
    for f in failures:
        rows.append(
            f"<tr><th colspan=3>{html.escape(f.nodeid)}<br><code>{html.escape(os.fspath(f.golden))}</code>"
            f"<pre>{html.escape(f.message)}</pre></th></tr><tr>"
            f"{_img(f.golden, 'golden')}{_img(f.artifacts.get('actual'), 'actual')}"
            f"{_img(f.artifacts.get('diff'), 'diff')}</tr>")
    dup = "".join(f"<li>{html.escape(d)}</li>" for d in duplicates) or "<li>none</li>"
    unu = "".join(f"<li><code>{html.escape(os.fspath(u))}</code></li>" for u in unused) or "<li>none</li>"
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>reelforge golden-frame report</title>
<style>body{{font-family:sans-serif}} img{{max-width:30vw;image-rendering:pixelated;border:1px solid #888}}
td,th{{vertical-align:top;text-align:left;padding:4px}} .missing{{color:#a00}} pre{{font-weight:normal}}</style>
</head><body><h1>reelforge golden-frame report</h1>
<p>{len(failures)} failed comparison(s). Columns: golden | actual | diff (|actual - golden| x4, pixels beyond
atol in magenta).</p><table>{''.join(rows)}</table>
<h2>Duplicate golden names</h2><ul>{dup}</ul>
<h2>Goldens no test used</h2><ul>{unu}</ul></body></html>
"""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
