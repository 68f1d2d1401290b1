"""Show the code (issue 19): every demo section has a collapsed expander with its engine function's source and the
tests that check it against its oracle. Oracles: the source text is `inspect.getsource` itself; each named test is
looked up in its file (a `def test_…` that exists); every tab module of every page and every BERT lab has a call."""

from __future__ import annotations

import ast
import functools
import inspect
import re
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, open_page
from streamlit.testing.v1 import AppTest

from ui.i18n import strings

VIEWS = ROOT / "views"
NOT_TABS = {"page.py", "common.py", "__init__.py"}


def _show_code_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "show_code"
    ]


def _tests_arg(call: ast.Call, tree: ast.Module) -> ast.expr | None:
    """The call's test list: a literal, or a module-level constant of literals (TESTS = [...]; show_code(f, TESTS))."""
    arg = call.args[1] if len(call.args) >= 2 else next((k.value for k in call.keywords if k.arg == "tests"), None)
    if isinstance(arg, ast.Name):
        arg = next(
            (
                n.value
                for n in tree.body
                if isinstance(n, ast.Assign) and any(getattr(x, "id", None) == arg.id for x in n.targets)
            ),
            arg,
        )
    return arg


def _named_tests() -> list[tuple[str, int, str]]:
    """(views file, line, test name) of every test named by a show_code call under views/."""
    out = []
    for path in sorted(VIEWS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _show_code_calls(path):
            arg = _tests_arg(call, tree)
            rel = path.relative_to(ROOT).as_posix()
            where = f"{rel}:{call.lineno}"
            assert isinstance(arg, (ast.List, ast.Tuple)) and arg.elts, f"{where}: tests must be a list of literals"
            for elt in arg.elts:
                assert isinstance(elt, ast.Constant) and isinstance(elt.value, str), f"{where}: not a string"
                out.append((rel, call.lineno, elt.value))
    return out


@functools.lru_cache(maxsize=None)
def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            names.add(node.name)
    return names


def missing_tests(named: list[tuple[str, int, str]]) -> list[str]:
    """The named tests that do not exist: "tests/…/test_x.py::test_name" (a parametrized id "[…]" may be left off
    or written out) needs the file and a `def test_name` in it."""
    bad = []
    for where, line, name in named:
        file, sep, func = name.partition("::")
        func = re.sub(r"\[.*\]$", "", func)
        path = ROOT / file
        if not sep or not file.startswith("tests/") or not path.is_file():
            bad.append(f"{where}:{line}: {name} (no such test file)")
        elif func not in _test_functions(path):
            bad.append(f"{where}:{line}: {name} (no test function {func!r})")
    return bad


def test_every_named_test_exists():
    named = _named_tests()
    assert len(named) >= 60, f"only {len(named)} test names in show_code calls"
    assert not missing_tests(named), missing_tests(named)


def test_the_checker_flags_a_missing_test():
    """The oracle of the oracle: a wrong file, a wrong function name and a missing '::' are reported; a real test,
    with or without its parametrized id, is not."""
    real = "tests/engine/embeddings/test_huffman.py::test_handbook_example"
    named = [
        ("x.py", 1, real),
        ("x.py", 2, "tests/engine/embeddings/test_huffman.py::test_codes_and_points_equal_gensim[3-0]"),
        ("x.py", 3, "tests/engine/embeddings/test_nope.py::test_handbook_example"),
        ("x.py", 4, "tests/engine/embeddings/test_huffman.py::test_no_such_thing"),
        ("x.py", 5, "tests/engine/embeddings/test_huffman.py"),
    ]
    assert [b.split(":")[1] for b in missing_tests(named)] == ["3", "4", "5"]


def _tab_table(tree: ast.Module, call: ast.Call) -> ast.Dict:
    table = call.args[1]
    if isinstance(table, ast.Name):  # tabs = {...}; show_tabs(key, tabs, labels)
        table = next(
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and any(getattr(x, "id", None) == table.id for x in n.targets)
        )
    assert isinstance(table, ast.Dict), ast.unparse(call)
    return table


def tab_modules() -> list[Path]:
    """Every module a page's show_tabs table draws a tab from (views/<page>/<tab>.py; not common.py, and not the
    BERT labs router), and every BERT lab (views/bert/labs/<lab>.py)."""
    mods = set()
    for page in sorted(VIEWS.glob("*/page.py")):
        tree = ast.parse(page.read_text(encoding="utf-8"))
        imported = {}  # local name -> module file
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("views."):
                for a in node.names:
                    imported[a.asname or a.name] = ROOT / f"{node.module}.{a.name}".replace(".", "/")
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "show_tabs":
                for value in _tab_table(tree, call).values:
                    names = {n.value.id for n in ast.walk(value) if isinstance(n, ast.Attribute)}
                    files = {imported[x].with_suffix(".py") for x in names if x in imported}
                    tabs = {f for f in files if f.name not in NOT_TABS and f.is_file()}
                    assert tabs or "labs" in names, f"{page}: no tab module for {ast.unparse(value)}"
                    mods |= tabs
    labs = [f for f in sorted((VIEWS / "bert" / "labs").glob("*.py")) if f.name not in NOT_TABS]
    return sorted(mods) + labs


def test_every_tab_and_lab_shows_its_code():
    mods = tab_modules()
    assert len(mods) >= 45 and VIEWS / "bert" / "labs" / "xor.py" in mods and VIEWS / "word2vec" / "hs.py" in mods
    without = [m.relative_to(ROOT).as_posix() for m in mods if not _show_code_calls(m)]
    assert not without, f"tab modules without a show_code(...) call: {without}"


def test_every_tab_file_is_found():
    """The oracle of the tab finder: every views/<page>/<x>.py that defines render() and is not a helper module is
    reached from its page's show_tabs table (a section module drawn inside a tab, like toy_tasks.py, is listed)."""
    found = set(tab_modules())
    sections = {"toy_tasks.py", "distributed_repr.py", "hs_latency.py"}  # drawn inside another tab's render()
    for f in sorted(VIEWS.glob("*/*.py")):
        if f.name in NOT_TABS or f.name in sections or "def render(" not in f.read_text(encoding="utf-8"):
            continue
        assert f in found, f"{f.relative_to(ROOT)} has render() but no page's show_tabs table names it"


# ---------------------------------------------------------------- rendering
def _app():
    import streamlit as st

    from engine.embeddings.huffman import huffman
    from ui.code import show_code

    st.session_state["lang"] = st.query_params.get("lang", "en")
    show_code(huffman, ["tests/engine/embeddings/test_huffman.py::test_handbook_example"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_show_code_renders_the_source_and_the_tests(lang):
    from engine.embeddings.huffman import huffman

    at = AppTest.from_function(_app, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    (exp,) = at.expander
    assert exp.label == strings(lang)["common.show_code"]
    (code,) = at.code
    assert code.value == inspect.getsource(huffman).rstrip() and code.language == "python"
    assert at.text[0].value == "tests/engine/embeddings/test_huffman.py::test_handbook_example"
    assert any(
        "engine.embeddings.huffman.huffman" in c.value and "engine/embeddings/huffman.py" in c.value for c in at.caption
    )


def test_source_lookup_is_cached_and_reads_methods_and_local_functions():
    from engine.embeddings.word2vec import Word2Vec
    from ui import code

    code._source.cache_clear()
    src, file = code.source_of(Word2Vec.forward)
    assert (
        src == textwrap.dedent(inspect.getsource(Word2Vec.forward)).rstrip() and file == "engine/embeddings/word2vec.py"
    )
    code.source_of(Word2Vec.forward)
    assert code._source.cache_info().hits == 1 and code._source.cache_info().misses == 1

    def local(x):
        return x + 1

    assert code.source_of(local)[0] == textwrap.dedent(inspect.getsource(local)).rstrip()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_page_tab_shows_its_code_expander(lang):
    """The word2vec page's cost tab (opened by link): a collapsed expander with cost_per_example's source."""
    from engine.embeddings.word2vec import cost_per_example

    at = open_page("views/word2vec/page.py", lang, w2v_tab="cost")
    assert not at.exception, [e.value for e in at.exception]
    label = strings(lang)["common.show_code"]
    assert any(e.label == label for e in at.expander)
    assert inspect.getsource(cost_per_example).rstrip() in [c.value for c in at.code]
    assert any(x.value.startswith("tests/engine/embeddings/test_word2vec.py::test_cost_closed_forms") for x in at.text)


def test_every_shown_object_has_its_source():
    """Each show_code call's first argument, evaluated in its views module, is an engine object whose source the
    expander can show (tabs not opened by the page tests are covered too)."""
    import importlib

    from ui.code import source_of

    seen = 0
    for path in sorted(VIEWS.rglob("*.py")):
        calls = _show_code_calls(path)
        if not calls:
            continue
        module = importlib.import_module(path.relative_to(ROOT).with_suffix("").as_posix().replace("/", "."))
        for call in calls:
            obj = eval(compile(ast.Expression(call.args[0]), str(path), "eval"), vars(module))
            assert obj.__module__.startswith("engine."), (path.name, call.lineno, obj)
            assert source_of(obj)[0].lstrip().startswith(("def ", "class ", "@")), (path.name, call.lineno)
            seen += 1
    assert seen >= 60
