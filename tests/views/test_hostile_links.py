"""Links are input too: hostile query strings for every bound widget of every page, tab and BERT lab.

For each page of app.py's NAV, each of its tabs (codes recorded from ui.tabs.url_tabs) and each BERT lab
(`?bert_tab=labs&bert_lab=<name>`), a plain link is opened under AppTest first; the bound widgets it drew
(ui.widgets.bound records them in st.session_state["_bound_widgets"]) are then given hostile values, all keys of
one view in one link, rotating the value classes across keys so that after len(CLASSES) links every key had every
class. Each link must open without an exception box and without a raw i18n key, within AppTest's timeout (no
hang), and every value the page had to correct (the URL then holds another value, or none) comes with a notice
(a toast quoting it). Oracle: ui.widgets.check_url_value's contract, unit-tested for each widget kind below, and
the page itself. tests/browser/test_hostile_links_browser.py shows that HTML/script from a link runs nothing.
"""

from __future__ import annotations

import inspect

import pytest
import streamlit as st
from conftest import nav_pages, open_page, raw_i18n_keys, stop_jobs

import ui.tabs
from ui.widgets import BOUND_REGISTRY, TEXT_CAP, _plain, check_url_value

HTML = "<img src=x onerror=alert(1)><script>alert(1)</script>"
CLASSES = {  # one hostile value per class; a list is a repeated parameter (?k=a&k=b), the wrong type for a widget
    "beyond": "1e400",
    "huge_int": str(10**30),
    "negative": "-7",
    "nan": "nan",
    "inf": "inf",
    "not_a_number": "twelve",
    "wrong_type": ["x", "[1, 2]"],
    "html": HTML,
    "oversized": "9" * 100_000,
}
LINK_TIMEOUT = 180  # AppTest's limit for one script run: a link that takes longer is a hang


def hostile_params(keys: list[str], run: int) -> dict[str, object]:
    """Link number `run` (0 .. len(CLASSES) - 1): key i gets class (i + run) mod len(CLASSES)."""
    values = list(CLASSES.values())
    return {key: values[(i + run) % len(values)] for i, key in enumerate(sorted(keys))}


def test_rotation_gives_every_key_every_class():
    keys = [f"k{i}" for i in range(13)]
    seen = {k: set() for k in keys}
    for run in range(len(CLASSES)):
        for k, v in hostile_params(keys, run).items():
            seen[k].add(repr(v))
    assert all(len(s) == len(CLASSES) for s in seen.values())


# ---------------------------------------------------------------- check_url_value, each widget kind
def _spec(widget, *args, **kwargs) -> dict:
    """The arguments a bound() call hands check_url_value (the widget's own signature binds them)."""
    return inspect.signature(widget).bind_partial(*args, **kwargs).arguments


def _fixed(kind, spec, raw):
    out = check_url_value(kind, spec, raw)
    return None if out is None else out[0]


@pytest.fixture
def quiet_bare_mode():
    import logging

    log = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = log.level
    log.setLevel(logging.ERROR)  # t() outside a script run warns "missing ScriptRunContext" on every call
    yield
    log.setLevel(level)


NON_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "twelve", "", "  ", "0x10", "1,2", HTML]


@pytest.mark.usefixtures("quiet_bare_mode")
@pytest.mark.parametrize("kind", ["slider", "number_input"])
def test_integer_widgets_clamp_or_fall_back(kind):
    widget = getattr(st, kind)
    spec = _spec(widget, "n", 1, 10, 5, 1) if kind == "slider" else _spec(widget, "n", 1, 10, 5, step=1)
    for ok in ("1", "5", "10", "+3", " 7 ", "07"):
        assert check_url_value(kind, spec, ok) is None, ok
    assert _fixed(kind, spec, "11") == "10" and _fixed(kind, spec, str(10**30)) == "10"
    assert (
        _fixed(kind, spec, "0") == "1" and _fixed(kind, spec, "-7") == "1" and _fixed(kind, spec, "-" + "9" * 30) == "1"
    )
    assert _fixed(kind, spec, "3.4") == "3" and _fixed(kind, spec, "3.6") == "4" and _fixed(kind, spec, "5.0") == "5"
    assert _fixed(kind, spec, "9" * 100_000) is None  # too long to be a number: the default
    for bad in NON_NUMBERS:
        out = check_url_value(kind, spec, bad)
        assert out is not None and out[0] is None and out[1], bad  # the default, with a notice
    note = check_url_value(kind, spec, "11")[1]
    assert "10" in note


@pytest.mark.usefixtures("quiet_bare_mode")
@pytest.mark.parametrize("kind", ["slider", "number_input"])
def test_float_widgets_clamp_or_fall_back(kind):
    widget = getattr(st, kind)
    spec = _spec(widget, "p", 0.0, 1.0, 0.5, 0.05) if kind == "slider" else _spec(widget, "p", 0.0, 1.0, 0.5)
    for ok in ("0", "0.25", "1.0", "1e-3", "0.333333"):
        assert check_url_value(kind, spec, ok) is None, ok
    assert float(_fixed(kind, spec, "1.5")) == 1.0 and float(_fixed(kind, spec, "-7")) == 0.0
    assert float(_fixed(kind, spec, str(10**30))) == 1.0
    for bad in NON_NUMBERS:
        assert _fixed(kind, spec, bad) is None, bad
    unbounded = _spec(st.number_input, "x", value=1.5)  # no range: only finiteness is checked
    assert check_url_value("number_input", unbounded, str(10**30)) is None
    assert _fixed("number_input", unbounded, "1e400") is None and _fixed("number_input", unbounded, "nan") is None
    no_default = _spec(st.number_input, "x", min_value=0, max_value=9)  # value defaults to "min"
    assert _fixed("number_input", no_default, "12") == "9" and check_url_value("number_input", no_default, "3") is None


@pytest.mark.usefixtures("quiet_bare_mode")
def test_range_slider_takes_a_pair_within_bounds_or_its_default():
    spec = _spec(st.slider, "r", 0, 100, (10, 20))
    for ok in ("10,20", "0,100", "5.0,6"):
        assert check_url_value("slider", spec, ok) is None, ok
    for bad in ("10", "10,20,30", "-1,20", "10,101", "a,b", "nan,1", "1,inf", "1e400,2", "", HTML):
        out = check_url_value("slider", spec, bad)
        assert out is not None and out[0] is None, bad


@pytest.mark.usefixtures("quiet_bare_mode")
@pytest.mark.parametrize("kind", ["selectbox", "radio", "select_slider", "segmented_control", "pills"])
def test_choices_must_be_one_of_the_options(kind):
    spec = _spec(getattr(st, kind), "c", ["cbow", "skipgram", 3])
    for ok in ("cbow", "skipgram", "3"):
        assert check_url_value(kind, spec, ok) is None, ok
    for bad in ("CBOW", "cbow ", "4", "3.0", "", "nan", "1e400", HTML, "9" * 100_000, "[1, 2]"):
        out = check_url_value(kind, spec, bad)
        assert out is not None and out[0] is None and out[1], bad
    labelled = _spec(getattr(st, kind), "n", [1, 2], format_func=lambda v: f"{v} layers")
    assert check_url_value(kind, labelled, "2 layers") is None  # with a format_func the URL holds the label
    assert _fixed(kind, labelled, "2") is None and check_url_value(kind, labelled, "2") is not None


@pytest.mark.usefixtures("quiet_bare_mode")
def test_range_select_slider_takes_options_only():
    spec = _spec(st.select_slider, "r", ["a", "b", "c"], value=("a", "b"))
    assert check_url_value("select_slider", spec, "a,c") is None
    for bad in ("a,d", "x", "", HTML):
        assert check_url_value("select_slider", spec, bad) is not None, bad


@pytest.mark.usefixtures("quiet_bare_mode")
@pytest.mark.parametrize("kind", ["text_input", "text_area"])
def test_texts_are_cut_to_their_cap(kind):
    widget = getattr(st, kind)
    free = _spec(widget, "t", "default")
    for ok in ("", "hello", HTML, "nan", "1e400", "a" * TEXT_CAP, "中文" * 100):
        assert check_url_value(kind, free, ok) is None, ok[:20]  # any text is text: the page checks its meaning
    cut, note = check_url_value(kind, free, "9" * 100_000)
    assert cut == "9" * TEXT_CAP and str(TEXT_CAP) in note
    capped = _spec(widget, "t", "", max_chars=12)
    assert check_url_value(kind, capped, "x" * 12) is None
    assert _fixed(kind, capped, HTML) == HTML[:12]


@pytest.mark.usefixtures("quiet_bare_mode")
@pytest.mark.parametrize("kind", ["checkbox", "toggle"])
def test_booleans_are_true_or_false(kind):
    spec = _spec(getattr(st, kind), "b", value=True)
    for ok in ("true", "false", "True", "FALSE"):
        assert check_url_value(kind, spec, ok) is None, ok
    for bad in ("1", "0", "yes", "", "nan", HTML, "9" * 100_000):
        out = check_url_value(kind, spec, bad)
        assert out is not None and out[0] is None and out[1], bad


def test_unknown_widget_kinds_pass_through():
    assert check_url_value("color_picker", {}, "#ff0000") is None


# ---------------------------------------------------------------- every page, tab and lab under AppTest
@pytest.fixture
def tab_codes(monkeypatch):
    """{tabs key: its codes} of every ui.tabs.url_tabs drawn (show_tabs calls it), in this test."""
    seen: dict[str, list[str]] = {}
    original = ui.tabs.url_tabs

    def recording(key, codes, labels):
        seen[key] = list(codes)
        return original(key, codes, labels)

    monkeypatch.setattr(ui.tabs, "url_tabs", recording)
    return seen


def _bound(at) -> dict[str, str]:
    return dict(at.session_state[BOUND_REGISTRY]) if BOUND_REGISTRY in at.session_state else {}


def _last(value) -> str:
    return value[-1] if isinstance(value, list) else value


def _widget_value(at, kind: str, key: str):
    """The value AppTest's widget of `kind` with `key` holds, or None if it has no such accessor."""
    try:
        return getattr(at, kind)(key=key).value
    except (AttributeError, KeyError, TypeError):
        return None


def _holds(kind: str, widget_value, url_value) -> bool:
    """Does the widget hold what the URL says? (numbers and texts; other kinds are not compared)"""
    if widget_value is None or isinstance(url_value, list):
        return True
    if kind in ("slider", "number_input") and isinstance(widget_value, (int, float)):
        return float(widget_value) == float(url_value)
    if kind in ("text_input", "text_area"):
        return widget_value == url_value
    return True


def check_link(page: str, lang: str, view: dict, sent: dict) -> int:
    """Open `page` with `view` (tab codes, lab) and `sent` (hostile values) in the URL and check the contract;
    returns how many values the page corrected."""
    at = open_page(page, lang, LINK_TIMEOUT, **view, **sent)
    where = (page, lang, view, {k: (repr(v)[:30]) for k, v in sent.items()})
    corrected = 0
    try:
        assert not at.exception, (where, [e.value for e in at.exception])
        raw = raw_i18n_keys(at)
        assert not raw, (where, f"raw i18n keys: {raw}")
        toasts = [str(el.value) for el in at.toast]
        drawn = _bound(at)
        for key, value in sent.items():
            if key not in drawn:
                continue  # not drawn with these values (e.g. behind a choice that fell back): nothing to correct
            url = at.query_params.get(key)
            if url is not None:  # what the URL holds now (taken as it came, or corrected) is what the widget shows
                held = _widget_value(at, drawn[key], key)
                assert _holds(drawn[key], held, url), (where, key, f"the URL says {url!r:.40}, the widget {held!r:.40}")
            if url == value:
                continue  # taken as it came (any text is a text)
            corrected += 1
            quoted = _plain(_last(value))[:40]
            assert any(quoted in toast for toast in toasts), (where, key, f"corrected without a notice: {toasts}")
    finally:
        stop_jobs(at)
    return corrected


SWITCHES = ("checkbox", "toggle")


def views_of(page: str, lang: str, tab_codes: dict, base: dict | None = None) -> list[tuple[dict, dict]]:
    """(view params, bound widgets drawn there) for the page's first view, every tab code reachable from it (tabs
    inside tabs too) and, where a view has switches (checkbox, toggle), the view with all of them on and all off:
    the widgets a switch reveals get their links too. Each view is opened once with a plain link, which must work."""
    base = dict(base or {})
    todo, done, out = [(base, False)], [], []
    while todo:
        view, variant = todo.pop(0)
        if view in done:
            continue
        done.append(view)
        tab_codes.clear()
        at = open_page(page, lang, LINK_TIMEOUT, **view)
        try:
            assert not at.exception, (page, view, [e.value for e in at.exception])
            drawn = _bound(at)
            out.append((view, drawn))
            if not variant:
                for key, codes in list(tab_codes.items()):
                    if key not in view:
                        todo += [({**view, key: code}, False) for code in codes]
                above = set(out[0][1]) if len(out) > 1 else set()  # the first view's switches are varied there
                switches = [k for k, kind in drawn.items() if kind in SWITCHES and k not in view and k not in above]
                todo += [({**view, **dict.fromkeys(switches, on)}, True) for on in ("true", "false") if switches]
        finally:
            stop_jobs(at)
    return out


def hostile_views(page: str, lang: str, tab_codes: dict, base: dict | None = None, shared: set | None = None):
    """Every view's hostile links, for the keys no earlier view drew: the inputs above the tabs get their values in
    the first view, each tab's (or switch's) links carry only the widgets it adds; none of `shared`."""
    views = views_of(page, lang, tab_codes, base)
    seen = set(shared or ())
    checked = corrected = 0
    for view, drawn in views:
        keys = [k for k in drawn if k not in seen and k not in view]
        seen |= set(drawn)
        if not keys:
            continue
        for run in range(len(CLASSES)):
            corrected += check_link(page, lang, view, hostile_params(keys, run))
        checked += len(keys)
    # the oracle is not vacuous: no widget takes "1e400", "nan" and a 100 000-character text alike
    assert corrected or not checked, (page, base, "hostile values everywhere, and not one corrected")
    return views, checked


PAGES = [f for f, _ in nav_pages()]


@pytest.mark.parametrize("page", PAGES, ids=[f.split("/")[-2] for f in PAGES])
def test_hostile_links_on_every_tab(page, tab_codes):
    lang = "zh" if PAGES.index(page) % 2 else "en"  # languages alternate: notices and fallbacks in both
    views, checked = hostile_views(page, lang, tab_codes)
    tab_keys = {k for view, drawn in views for k in view if k not in drawn}
    if tab_keys:  # a hostile tab code opens the default tab
        check_link(page, lang, {}, dict.fromkeys(tab_keys, HTML))
    if not checked:
        pytest.skip(f"no bound widgets on {page}")


def test_a_hostile_lab_name_opens_the_labs_tab():
    """?bert_lab= is a code (ui.tabs.url_select), not a bound widget: an unknown one opens the first lab."""
    check_link("views/bert/page.py", "en", {"bert_corpus": "toy_en", "bert_tab": "labs"}, {"bert_lab": HTML})


@pytest.mark.parametrize("lang", [HTML, "9" * 100_000, "nan"], ids=["html", "oversized", "nan"])
def test_a_hostile_language_opens_the_page(lang):
    """?lang= (app.py's own bound switch) with junk: the page opens in a language it has, no exception box."""
    at = open_page("views/word2vec/page.py", lang, LINK_TIMEOUT)
    try:
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["lang"] in ("en", "zh") and not raw_i18n_keys(at)
    finally:
        stop_jobs(at)


def _labs() -> list[str]:
    from views.bert import labs

    return labs.available()


@pytest.mark.parametrize("lab", _labs())
def test_hostile_links_in_every_bert_lab(lab, tab_codes):
    lang = "zh" if _labs().index(lab) % 2 else "en"
    base = {"bert_corpus": "toy_en", "bert_tab": "labs", "bert_lab": lab}  # the way conftest.open_lab opens it
    views, checked = hostile_views("views/bert/page.py", lang, tab_codes, base, shared={"bert_corpus"})
    if not checked:
        pytest.skip(f"no bound widgets in lab {lab}")
