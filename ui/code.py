"""The code behind a demo: a collapsed expander under a section with the source of the engine function (or class)
that computed it, highlighted, and the tests that check that function against its oracle.

    show_code(Word2Vec.forward, ["tests/engine/embeddings/test_word2vec.py::test_ns_loss_and_gradients_closed_form"])

Test names are plain "path::function" strings (a parametrized test without its [id]), written as literals in the
call (or a module-level list of literals): tests/ui/test_show_code.py reads every show_code call in views/ and checks
each named test exists, and that every tab module and BERT lab has one. Never call it inside another expander
(Streamlit refuses nested expanders)."""

from __future__ import annotations

import functools
import importlib
import inspect
import textwrap
from pathlib import Path
from typing import Any, Sequence

import streamlit as st

from ui.i18n import t

ROOT = Path(__file__).resolve().parent.parent
TALL = 40  # lines: a longer source scrolls inside a box of CODE_HEIGHT pixels
CODE_HEIGHT = 520


def qualified_name(obj: Any) -> tuple[str, str]:
    """(module, qualname) of a function, method, class or a partial of one."""
    obj = inspect.unwrap(getattr(obj, "func", obj))
    return obj.__module__, obj.__qualname__


@functools.lru_cache(maxsize=None)
def _source(module: str, qualname: str) -> tuple[str, str]:
    """(source text, file relative to the repository) of `module.qualname`, looked up once per process."""
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    obj = inspect.unwrap(obj)
    path = Path(inspect.getsourcefile(obj) or "")
    try:
        where = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        where = path.name
    return _text(obj), where


def _text(obj: Any) -> str:
    """The source as shown: a method dedented to the margin, no trailing newline (st.code drops it anyway)."""
    return textwrap.dedent(inspect.getsource(obj)).rstrip("\n")


def source_of(obj: Any) -> tuple[str, str]:
    """(source text, file) of an engine function or class; a local function (no importable name) is read as is."""
    module, qualname = qualified_name(obj)
    if "<locals>" in qualname:
        obj = inspect.unwrap(getattr(obj, "func", obj))
        return _text(obj), Path(inspect.getsourcefile(obj) or "").name
    return _source(module, qualname)


def show_code(fn_or_obj: Any, tests: Sequence[str], *, on=None) -> None:
    """A collapsed "show the code" expander: the source of `fn_or_obj` and the names of the tests that check it
    against its oracle ("tests/engine/<family>/test_x.py::test_name"). `on` is where to draw (default: main area)."""
    module, qualname = qualified_name(fn_or_obj)
    source, where = source_of(fn_or_obj)
    with (on if on is not None else st).expander(t("common.show_code"), expanded=False, icon=":material/code:"):
        st.caption(t("common.code_where", name=f"{module}.{qualname}", file=where))
        tall = source.count("\n") > TALL
        st.code(source, language="python", line_numbers=True, height=CODE_HEIGHT if tall else "content")
        if tests:
            st.caption(t("common.code_tests"))
            st.text("\n".join(tests))
