"""Regenerate python/reelforge/schema/scene.schema.json from the serialisation registry.

Run after adding a layer kind, feature or export setting (reelforge.serialize.register_*) and
reinstalling: ``python scripts/gen_schema.py``. tests/test_serialize.py fails while the shipped
file is stale.
"""
from __future__ import annotations

import sys
from pathlib import Path

from reelforge import serialize

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "python" / "reelforge" / "schema" / "scene.schema.json"
    print(serialize.write_schema(sys.argv[1] if len(sys.argv) > 1 else target))
