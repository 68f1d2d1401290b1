"""The layers import only downwards (CONTRIBUTING.md): engine -> viz -> ui -> views; store (persistence) beside
engine, used by ui/views, never importing the drawing layers, and engine never importing the store.

Oracle: the import statements themselves, read with ast from every .py file of each layer — at any depth (an import
inside a function counts as much as one at the top), relative imports resolved, and literal
`importlib.import_module("...")` / `__import__("...")` calls too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# layer (top-level folder) -> top-level modules it must never import
FORBIDDEN = {
    "engine": {"streamlit", "ui", "views", "viz", "store"},
    "viz": {"streamlit", "ui", "views", "store"},
    "ui": {"views"},
    "store": {"streamlit", "ui", "views", "viz"},
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute dotted module name) of every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ..core import y: relative to this file's package
                base = package[: len(package) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            found += [(node.lineno, f"{name}.{a.name}".lstrip(".")) for a in node.names if a.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            fn = node.func
            called = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def violations(layer: str, root: Path = ROOT) -> list[str]:
    bad = []
    for path in sorted((root / layer).rglob("*.py")):
        for line, name in imported_modules(path, root):
            top = name.split(".")[0]
            if top in FORBIDDEN[layer]:
                bad.append(f"{path.relative_to(root).as_posix()}:{line} imports {name}")
    return sorted(set(bad))


@pytest.mark.parametrize("layer", sorted(layer for layer in FORBIDDEN if (ROOT / layer).is_dir()))
def test_layer_imports_only_downwards(layer):
    assert not violations(layer), "\n".join(violations(layer))


def test_the_checker_sees_nested_relative_and_dynamic_imports(tmp_path):
    """The oracle of the oracle: an import inside a function, relative ones and a literal import_module."""
    pkg = tmp_path / "engine" / "core"
    pkg.mkdir(parents=True)
    (tmp_path / "engine" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "bad.py").write_text(
        "import numpy\n"
        "def f():\n"
        "    import streamlit as st\n"
        "    from ..labs import x\n"
        "    from ... import ui\n"
        "    import importlib\n"
        "    return importlib.import_module('viz.curves')\n"
    )
    assert violations("engine", tmp_path) == [
        "engine/core/bad.py:3 imports streamlit",
        "engine/core/bad.py:5 imports ui",
        "engine/core/bad.py:7 imports viz.curves",
    ]
    assert (4, "engine.labs") in imported_modules(pkg / "bad.py", tmp_path)  # resolved within the package
