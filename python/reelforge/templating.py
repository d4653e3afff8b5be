"""``${name}`` template variables in scene documents (:mod:`reelforge.serialize`).

Every string value of a JSON document (not its keys) may hold ``${name}`` placeholders, filled
from a ``variables`` mapping:

* ``"Hello ${name}!"``: the variable's value is formatted into the string (``str(value)``;
  booleans as ``true``/``false``, as JSON writes them).
* ``"${x}"`` (one placeholder and nothing else): the string is *replaced* by the value, so a
  number given in Python (``variables={"x": 120}``) stays a number. A string value stays a
  string; where the schema wants a number or a boolean there and the string reads as one
  (``"120"``, ``"-0.5"``, ``"true"``: CSV cells and ``--set`` values are strings),
  :func:`reelforge.serialize.from_dict` converts it (see :func:`coercible`).
* ``$${`` writes a literal ``${``.

Names are ``[A-Za-z_][A-Za-z0-9_.-]*``. A placeholder whose variable is not set raises
:class:`~reelforge.errors.SceneError` naming the variable and the JSON path of the string.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from .errors import SceneError, SceneTypeError

__all__ = ["substitute", "escape", "placeholders", "coercible", "format_path", "JsonPath"]

#: A position in a JSON document: keys and list indices from the root.
JsonPath = tuple[str | int, ...]

_PLACEHOLDER = re.compile(r"\$(\$?)\{([^}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


def format_path(path: JsonPath) -> str:
    """``("layers", 2, "keyframes", "x", 1, "easing")`` -> ``"layers[2].keyframes.x[1].easing"``
    (``"(document)"`` for the root)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def placeholders(doc: Any) -> set[str]:
    """Names of the variables ``doc``'s strings refer to (``$${`` escapes excluded)."""
    found: set[str] = set()
    for _path, s in _strings(doc, ()):
        found.update(m.group(2) for m in _PLACEHOLDER.finditer(s) if not m.group(1))
    return found


def _strings(doc: Any, path: JsonPath) -> Any:
    if isinstance(doc, str):
        yield path, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from _strings(v, path + (str(k),))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _strings(v, path + (i,))


def escape(doc: Any) -> Any:
    """A copy of ``doc`` with every ``${`` in its strings written ``$${``, so that
    :func:`substitute` gives the strings back unchanged (used when writing scenes)."""
    if isinstance(doc, str):
        return doc.replace("${", "$${")
    if isinstance(doc, dict):
        return {k: escape(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [escape(v) for v in doc]
    return doc


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(doc: Any, variables: Mapping[str, Any]) -> tuple[Any, set[JsonPath]]:
    """A copy of ``doc`` with every ``${name}`` filled from ``variables``.

    Parameters
    ----------
    doc : JSON-compatible value (dict, list, str, number, bool, None)
        The document; it is not modified.
    variables : mapping of str to str, int, float or bool
        Values of the variables.

    Returns
    -------
    (new_doc, whole) : tuple
        ``whole``: the paths of the strings that were one placeholder replaced by a *string*
        value (the only places :func:`coercible` may turn into numbers).

    Raises
    ------
    SceneError
        A placeholder names an unset variable (all unset names listed, with the first path), or
        has an invalid name.
    SceneTypeError
        A variable's value is not a str, int, float or bool.
    """
    for k, v in variables.items():
        if not isinstance(k, str) or not _NAME.match(k):
            raise SceneError(f"template variable name {k!r} is not valid: use letters, digits, '_', '.', '-' "
                             f"(starting with a letter or '_')")
        if not isinstance(v, (str, int, float, bool)):
            raise SceneTypeError(f"template variable {k!r}: value must be a str, int, float or bool, got "
                                 f"{type(v).__name__} {v!r}")
    missing: dict[str, str] = {}
    whole: set[JsonPath] = set()

    def fill(s: str, path: JsonPath) -> Any:
        m = _PLACEHOLDER.fullmatch(s)
        if m and not m.group(1) and _NAME.match(m.group(2)) and m.group(2) in variables:
            value = variables[m.group(2)]
            if isinstance(value, str):
                whole.add(path)
            return value

        def one(m: re.Match[str]) -> str:
            if m.group(1):
                return "${" + m.group(2) + "}"
            name = m.group(2)
            if not _NAME.match(name):
                raise SceneError(f"{format_path(path)}: template placeholder ${{{name}}} is not a valid variable "
                                 f"name (letters, digits, '_', '.', '-'); write $${{ for a literal '${{'")
            if name not in variables:
                missing.setdefault(name, format_path(path))
                return ""
            return _text(variables[name])

        return _PLACEHOLDER.sub(one, s)

    def walk(d: Any, path: JsonPath) -> Any:
        if isinstance(d, str):
            return fill(d, path) if "${" in d else d
        if isinstance(d, dict):
            return {k: walk(v, path + (str(k),)) for k, v in d.items()}
        if isinstance(d, list):
            return [walk(v, path + (i,)) for i, v in enumerate(d)]
        return d

    out = walk(doc, ())
    if missing:
        name, where = next(iter(missing.items()))
        others = [n for n in missing if n != name]
        more = f" (also unset: {', '.join(others)})" if others else ""
        raise SceneError(f"{where}: template variable ${{{name}}} is not set{more}; give it with "
                         f"variables={{{name!r}: ...}} (command line: --set {name}=VALUE; batch: a CSV column "
                         f"{name!r}), or a default in the document's \"variables\"")
    return out, whole


def coercible(text: str) -> tuple[bool, Any]:
    """``(True, value)`` when ``text`` reads as a JSON number or ``true``/``false``, else
    ``(False, None)``. Used for substituted strings where the schema wants a number/boolean."""
    t = text.strip()
    if t in ("true", "false"):
        return True, t == "true"
    if _NUMBER.match(t):
        return True, json.loads(t)
    return False, None
