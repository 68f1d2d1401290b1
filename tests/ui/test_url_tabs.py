"""ui.tabs.url_tabs: a link's ?<key>=<code> opens that tab, in either language, and a language switch keeps it."""

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

APP = str(ROOT / "tests" / "ui" / "apps" / "url_tabs_app.py")


def _open(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _open_tabs(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("open")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_code_in_the_url_opens_that_tab(lang):
    at = _open(lang=lang, x_tab="three")
    assert not at.exception
    assert _open_tabs(at) == ["open 2"]


def test_unknown_code_opens_the_first_tab():
    assert _open_tabs(_open(x_tab="<script>")) == ["open 0"]


def test_language_switch_keeps_the_tab():
    at = _open(x_tab="two")
    at.session_state["lang"] = "zh"
    at.run()
    assert _open_tabs(at) == ["open 1"]
    assert at.session_state["x_tab"] == "二"


def test_url_select_follows_the_url_and_survives_a_language_switch(tmp_path):
    app = tmp_path / "select_app.py"
    app.write_text(
        "import sys\nsys.path.insert(0, %r)\n" % str(ROOT) + "import streamlit as st\nfrom ui.tabs import url_select\n"
        "lang = st.segmented_control('lang', ['en', 'zh'], key='lang', bind='query-params', default='en')\n"
        "labels = {'en': ['One', 'Two', 'Three'], 'zh': ['一', '二', '三']}[lang or 'en']\n"
        "st.write('code ' + url_select('pick', 'x_lab', ['one', 'two', 'three'], labels))\n"
    )
    at = AppTest.from_file(str(app), default_timeout=30)
    at.query_params["x_lab"] = "two"
    at.run()
    assert [m.value for m in at.markdown] == ["code two"]
    at.session_state["lang"] = "zh"
    at.run()
    assert [m.value for m in at.markdown] == ["code two"]
    at.selectbox(key="x_lab").set_value("三").run()
    assert [m.value for m in at.markdown] == ["code three"]
    assert at.query_params["x_lab"] in ("three", ["three"])


def test_every_interview_demo_link_names_a_tab_that_exists():
    """The answers' demo links (assets/qa/*/<page>.toml `params`) carry `<page>_tab=<code>`: each code must be one
    of the page's tab codes (the keys of its `show_tabs("<page>_tab", {code: ...})` call in views/<page>/page.py),
    or the link silently opens the first tab."""
    import ast
    import tomllib

    codes = {}
    for view in (ROOT / "views").rglob("*.py"):
        tree = ast.parse(view.read_text(encoding="utf-8"))
        dicts = {  # module-level `tabs = {...}` handed to show_tabs by name
            target.id: node.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "show_tabs"
                and isinstance(node.args[0], ast.Constant)
            ):
                table = node.args[1]
                table = dicts.get(table.id, table) if isinstance(table, ast.Name) else table
                assert isinstance(table, ast.Dict), (view, "show_tabs needs a literal {code: ...} table")
                codes[node.args[0].value] = {ast.literal_eval(k) for k in table.keys}
    assert {"w2v_tab", "glove_tab", "seq_tab", "transformer_tab", "ptm_tab", "bert_tab", "interview_tab"} <= set(codes)
    checked = 0
    for path in (ROOT / "assets" / "qa").glob("*/*.toml"):
        for qid, entry in tomllib.loads(path.read_text(encoding="utf-8")).items():
            for key, value in entry.get("params", {}).items():
                if key.endswith("_tab"):
                    assert value in codes[key], (path.name, qid, key, value)
                    checked += 1
    assert checked >= 2 * 60  # nearly every answer in both languages links to its tab
