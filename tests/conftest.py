"""Shared test fixtures: the page list is read from app.py's NAV, so new pages are covered automatically."""
from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def nav_pages() -> list[tuple[str, str]]:
    """(file, url_path) for every page app.py lists whose file exists, in navigation order."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "NAV" for t in node.targets):
            nav = ast.literal_eval(node.value)
            return [(file, url) for items in nav.values() for file, _name, _icon, url in items
                    if (ROOT / file).exists()]
    raise AssertionError("app.py has no NAV table")
