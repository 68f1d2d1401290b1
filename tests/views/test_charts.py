"""Chart audit: every plotly chart of every page (every tab, en and zh) is labelled, translated and exportable.

Oracle: the figure JSON Streamlit sends to the browser (PlotlyChart.spec / .config, read through AppTest), checked
against the rules of CONTRIBUTING.md:
- a non-empty chart title;
- every cartesian x / y axis that shows data has a title. Documented exception: an axis of a heatmap whose
  coordinates are token / word labels may rely on its tick labels (the chart title says what rows and columns are);
  pie, sankey, table and other non-cartesian traces have no axes; hidden axes (visible=False) show no data;
- no text in the figure is a raw i18n key;
- in zh the chart title is Chinese (has CJK) or at least differs from the en title of the same chart, and an axis
  title that is English words in en is not left identical in zh;
- the plotly config keeps the "download as image" (toImage) modebar button.

Charts drawn by default are audited on every page and tab (pages whose tabs render lazily, ui.tabs.url_tabs, are
visited tab by tab through conftest.each_tab; each BERT lab via "bert_lab"). Charts a "Predict, then see" prompt
hides until it is answered are audited too: the sessions open with conftest.open_page(reveal=True), which answers
every prompt as "Just show me" does (HIDDEN_UNTIL_ANSWERED lists those charts; a test checks the audit sees them). In the zh session every training panel also
trains for a couple of steps and a few chart-drawing buttons are pressed (EXTRA_BUTTONS), so charts that appear
only after training are audited too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from conftest import each_tab, nav_pages, open_page, stop_after, stop_jobs

from ui.i18n import strings

pytestmark = pytest.mark.usefixtures("one_torch_thread")

RAW_KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
KNOWN_KEYS = set(strings("en"))
NAMESPACES = {k.split(".")[0] for k in KNOWN_KEYS}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}[ -][A-Za-z]{3,}|^[a-z]{4,}$")  # "loss curve", "probability"
NO_AXES = {
    "pie",
    "sankey",
    "table",
    "parcoords",
    "parcats",
    "sunburst",
    "treemap",
    "icicle",
    "funnelarea",
    "indicator",
    "scatterpolar",
    "barpolar",
    "scatter3d",
    "surface",
    "mesh3d",
    "scattergeo",
    "choropleth",
}
PAGES = [f for f, _ in nav_pages()]


@dataclass
class Chart:
    where: str  # language-neutral place on the page ("bert.py #3 trained"), to pair en and zh charts
    key: str | None
    spec: dict
    config: dict
    label: str = ""  # the place in words, for messages

    @property
    def layout(self) -> dict:
        return self.spec.get("layout", {})

    @property
    def title(self) -> str:
        return _text(self.layout.get("title"))


@dataclass
class PageCharts:
    charts: list[Chart] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


def _text(title) -> str:
    """Plotly titles may be a string or {"text": ...}."""
    if isinstance(title, dict):
        title = title.get("text")
    return title.strip() if isinstance(title, str) else ""


def _collect(at, where: str, out: PageCharts, label: str) -> None:
    out.exceptions += [f"{label}: {e.value}" for e in at.exception]
    for el in at.get("plotly_chart"):
        out.charts.append(
            Chart(where, el.key, json.loads(el.proto.spec or "{}"), json.loads(el.proto.config or "{}"), label)
        )


# Buttons that draw more charts, besides every training panel's Train. Not clicked: the SmolLM2 download-free load
# on the pretrained-models page (20 s: its chart is covered by that page's own tests) and the compression timing.
EXTRA_BUTTONS = {"w2v_measure", "w2v_dh_run", "transformer_measure", "ptm_poly_btn"}


def _press_buttons(at) -> None:
    """Train every training panel on the page for a couple of steps (then Stop), press the EXTRA_BUTTONS."""
    keys = [
        b.key for b in at.button if b.key and not b.disabled and (b.key.endswith(":train") or b.key in EXTRA_BUTTONS)
    ]
    for key in keys:
        at.button(key=key).click().run()
        job = dict(at.session_state.items()).get(f"job:{key[:-6]}") if key.endswith(":train") else None
        if job is None:  # not a panel, or the panel refused the default input (a page test's business)
            continue
        stop_after(job, 2, timeout=20, poll=0.05)
    if keys:
        at.run()  # draw the results of the finished runs


def _render(page: str, lang: str, train: bool) -> PageCharts:
    """Every chart the page draws, tab by tab (one AppTest session per page and language); with `train`, also the
    charts that appear once each training panel has run and the EXTRA_BUTTONS were pressed."""
    out = PageCharts()
    at = open_page(page, lang, reveal=True)  # the charts the prompts hide until answered are audited too
    stem = page.rsplit("/", 2)[-2]  # views/<page>/page.py: the page name
    try:
        for i, tab in enumerate(each_tab(at)):  # lazy tabs (ui.tabs.url_tabs): only the open one renders
            label = stem if tab is None else f"{stem} · {tab}"
            _collect(at, f"{stem} #{i}", out, label)
            labs = tab is not None and "bert_lab" in at.session_state
            if labs and lang == "en":  # the Labs tab shows one lab at a time; zh checks the first lab only (time)
                for j in range(1, len(at.selectbox(key="bert_lab").options)):
                    at.selectbox(key="bert_lab").select_index(j).run()
                    _collect(at, f"{stem} #{i} lab {j}", out, f"{label} · lab {j}")
            if train and not labs:  # labs train in their own tests
                _press_buttons(at)
                _collect(at, f"{stem} #{i} trained", out, f"{label} · trained")
    except ValueError as e:
        # AppTest formats option labels outside the script thread: a format_func that calls t() there gets the
        # en label for a zh option list. Capture the labels in the script thread (see views/glove/page.py).
        out.exceptions.append(f"{stem} [{lang}] AppTest could not drive the page: {e}")
    finally:
        stop_jobs(at)
    return out


_CACHE: dict[tuple[str, str], PageCharts] = {}


def charts_of(page: str, lang: str) -> PageCharts:
    """en: what a page draws before any training; zh: that and the charts after training (translation is checked
    on zh; trained charts have no en twin, so their zh titles must be Chinese). One session per page and language."""
    if (page, lang) not in _CACHE:
        _CACHE[(page, lang)] = _render(page, lang, train=lang == "zh")
    return _CACHE[(page, lang)]


def _strings(obj, path: str = ""):
    """Every (path, string) in a figure JSON, skipping data arrays of numbers."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:500]):
            yield from _strings(v, f"{path}[{i}]")


def _axis_name(ref: str | None, letter: str) -> str:
    """Trace axis ref "x" / "x2" -> layout key "xaxis" / "xaxis2"."""
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


def _categorical(values) -> bool:
    return isinstance(values, list) and bool(values) and all(isinstance(v, str) for v in values)


ROWS = re.compile(r"\brows?\b|行", re.I)
COLUMNS = re.compile(r"\bcolumns?\b|列", re.I)


def axis_problems(chart: Chart) -> list[str]:
    """Axes that show data but have no title (see the module docstring for the exceptions)."""
    problems, layout = [], chart.layout
    needed: dict[str, bool] = {}  # axis -> a title is required (False: token-label heatmap axis)
    for trace in chart.spec.get("data", []):
        kind = trace.get("type", "scatter")
        if kind in NO_AXES:
            continue
        for letter in "xy":
            axis = _axis_name(trace.get(f"{letter}axis"), letter)
            # a heatmap over tokens: labelled by its ticks, or a thumbnail grid with the ticks hidden
            token_axis = kind == "heatmap" and (
                _categorical(trace.get(letter)) or layout.get(axis, {}).get("showticklabels") is False
            )
            needed[axis] = needed.get(axis, False) or not token_axis
    # a grid of panels (make_subplots) may title each letter's axis once; an overlaid second axis needs its own
    titled = {
        a[0]
        for a, v in layout.items()
        if re.fullmatch(r"[xy]axis\d*", a) and isinstance(v, dict) and _text(v.get("title")) and not v.get("overlaying")
    }
    for axis, required in needed.items():
        spec = layout.get(axis, {})
        if spec.get("matches"):  # a shared subplot axis carries the title of the axis it matches
            spec = {
                **spec,
                "title": spec.get("title") or layout.get(_axis_name(spec["matches"], axis[0]), {}).get("title"),
            }
        if spec.get("visible") is False or _text(spec.get("title")):
            continue
        if axis[0] in titled and not spec.get("overlaying"):
            continue
        if required:
            problems.append(f"{axis} has no title")
        elif not (ROWS if axis.startswith("y") else COLUMNS).search(chart.title):
            problems.append(
                f"{axis}: token axis without a title, and the chart title does not say what the "
                f"{'rows' if axis.startswith('y') else 'columns'} are"
            )
    return problems


def text_problems(chart: Chart) -> list[str]:
    return [
        f"raw i18n key {s!r} at {p}"
        for p, s in _strings(chart.spec)
        if s.strip() in KNOWN_KEYS or (RAW_KEY.match(s.strip()) and s.split(".")[0] in NAMESPACES)
    ]


def config_problems(chart: Chart) -> list[str]:
    cfg, out = chart.config, []
    if cfg.get("displayModeBar") is False:
        out.append("the modebar is hidden (no image download)")
    if "toImage" in cfg.get("modeBarButtonsToRemove", []):
        out.append("the toImage button is removed")
    buttons = cfg.get("modeBarButtons")
    if buttons and "toImage" not in json.dumps(buttons):
        out.append("a custom modebar without toImage")
    return out


def _axis_titles(chart: Chart) -> dict[str, str]:
    return {
        k: _text(v.get("title"))
        for k, v in chart.layout.items()
        if re.fullmatch(r"[xy]axis\d*", k) and isinstance(v, dict)
    }


def translation_problems(zh: Chart, en: Chart | None) -> list[str]:
    out = []
    if not CJK.search(zh.title) and (en is None or zh.title == en.title):
        out.append(f"zh title is not Chinese: {zh.title!r}")
    if en is not None:
        en_axes = _axis_titles(en)
        for axis, title in _axis_titles(zh).items():
            if title and title == en_axes.get(axis) and not CJK.search(title) and ENGLISH_WORDS.search(title):
                out.append(f"zh {axis} title left in English: {title!r}")
    return out


def _pair(zh: list[Chart], en: list[Chart]) -> list[tuple[Chart, Chart | None]]:
    """Match zh charts with en ones: by key where a chart has one, else by position within the same place."""
    by_key = {c.key: c for c in en if c.key}
    by_where: dict[str, list[Chart]] = {}
    for c in en:
        by_where.setdefault(c.where, []).append(c)
    pairs, seen = [], {}
    for c in zh:
        i = seen[c.where] = seen.get(c.where, -1) + 1
        same = by_where.get(c.where, [])
        pairs.append((c, by_key[c.key] if c.key in by_key else same[i] if i < len(same) else None))
    return pairs


def audit(page: str) -> list[str]:
    problems = []
    en, zh = charts_of(page, "en"), charts_of(page, "zh")
    problems += en.exceptions + zh.exceptions
    for lang, found in (("en", en), ("zh", zh)):
        for c in found.charts:
            label = f"[{lang}] {c.label} · {c.title or c.key or '?'}"
            if not c.title:
                problems.append(f"{label}: no chart title")
            problems += [f"{label}: {p}" for p in axis_problems(c) + text_problems(c) + config_problems(c)]
    for c, e in _pair(zh.charts, en.charts):
        problems += [f"[zh] {c.label} · {c.title}: {p}" for p in translation_problems(c, e)]
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_labelled_translated_and_exportable(page):
    problems = audit(page)
    assert not problems, "\n".join(problems)
    if page.endswith("home/page.py"):
        return
    assert charts_of(page, "en").charts, f"{page}: no chart found (is the audit reading the page?)"


# Charts drawn only once a "Predict, then see" prompt is answered (views/<page>/<tab>.py); the audit must see them.
HIDDEN_UNTIL_ANSWERED = {
    "views/transformer/page.py": {  # tf_sqrt_dk, tf_ln_bn, tf_pe_rotation
        "transformer_scale_hist",
        "transformer_scale_maxp",
        "transformer_scale_jac",
        "transformer_bn_means",
        "transformer_pe_rotation",
    },
    "views/word2vec/page.py": {"w2v_cost_chart", "w2v_ns_noise"},  # w2v_hs_cost, w2v_noise
    "views/glove/page.py": {"glove_f"},  # glove_fx
    "views/bert/page.py": {  # bert_mask_share, bert_pooling
        "bert_mask_grid",
        "bert_mask_shares",
        "bert_similarity_hist",
        "bert_similarity_roc",
    },
    "views/pretrained_models/page.py": {"ptm_pplbars"},  # ptm_shuffle
}


@pytest.mark.parametrize("page", sorted(HIDDEN_UNTIL_ANSWERED))
def test_the_audit_sees_the_charts_a_prompt_hides(page):
    """Coverage does not drop when a chart moves behind a prompt: the audited sessions draw it, in en and zh."""
    for lang in ("en", "zh"):
        keys = {c.key for c in charts_of(page, lang).charts}
        assert HIDDEN_UNTIL_ANSWERED[page] <= keys, (lang, sorted(HIDDEN_UNTIL_ANSWERED[page] - keys))


# ---------------------------------------------------------------- the audit itself can fail
def _fig(**layout) -> Chart:
    data = layout.pop("data", [{"type": "scatter", "x": [1, 2], "y": [3, 4]}])
    return Chart("test", None, {"data": data, "layout": layout}, {})


def test_audit_flags_what_it_should():
    assert axis_problems(_fig(title={"text": "t"})) == ["xaxis has no title", "yaxis has no title"]
    assert axis_problems(_fig(xaxis={"title": {"text": "step"}}, yaxis={"title": {"text": "loss"}})) == []
    assert axis_problems(_fig(xaxis={"visible": False}, yaxis={"visible": False})) == []
    heat = [{"type": "heatmap", "x": ["a", "b"], "y": ["a", "b"], "z": [[1, 2], [3, 4]]}]
    assert len(axis_problems(_fig(data=heat))) == 2  # token-label heatmap: the title must say what rows/columns are
    assert axis_problems(_fig(data=heat, title="Attention (row: query, column: key)")) == []
    assert axis_problems(_fig(data=heat, title="注意力（行：查询，列：键）")) == []
    assert axis_problems(_fig(data=[{"type": "heatmap", "z": [[1, 2]]}])) == [
        "xaxis has no title",
        "yaxis has no title",
    ]
    two = [{"type": "scatter", "x": [1], "y": [1]}, {"type": "scatter", "x": [1], "y": [2], "yaxis": "y2"}]
    assert axis_problems(_fig(data=two, xaxis={"title": "x"}, yaxis={"title": "y"}, yaxis2={"overlaying": "y"})) == [
        "yaxis2 has no title"
    ]  # a second metric axis
    panels = [
        {"type": "bar", "x": [1], "y": ["a"]},
        {"type": "bar", "x": [1], "y": ["b"], "xaxis": "x2", "yaxis": "y2"},
    ]
    assert axis_problems(_fig(data=panels, xaxis={"title": "p"}, xaxis2={"title": "p"}, yaxis={"title": "w"})) == []
    assert axis_problems(_fig(data=panels, xaxis={"title": "p"}, xaxis2={"title": "p"})) == [
        "yaxis has no title",
        "yaxis2 has no title",
    ]
    assert axis_problems(_fig(data=[{"type": "pie", "values": [1]}])) == []
    shared = [{"type": "heatmap", "z": [[1]]}, {"type": "heatmap", "z": [[1]], "xaxis": "x2", "yaxis": "y2"}]
    assert (
        axis_problems(
            _fig(
                data=shared, xaxis={"title": "a"}, yaxis={"title": "b"}, xaxis2={"title": "c"}, yaxis2={"matches": "y"}
            )
        )
        == []
    )
    grid = [{**h, "xaxis": f"x{i}", "yaxis": f"y{i}"} for i, h in zip(("", "2"), heat * 2)]
    assert axis_problems(_fig(data=grid, xaxis={"title": "key"}, yaxis={"title": "query"})) == []
    assert len(axis_problems(_fig(data=grid, xaxis={"title": "key"}))) == 2  # no y title anywhere
    assert text_problems(_fig(title={"text": "bert.dim"})) and not text_problems(_fig(title={"text": "e.g. a"}))
    assert config_problems(Chart("t", None, {}, {"modeBarButtonsToRemove": ["toImage"]}))
    assert config_problems(Chart("t", None, {}, {"displayModeBar": False}))
    assert not config_problems(Chart("t", None, {}, {"toImageButtonOptions": {"format": "svg"}}))
    en, zh = (
        _fig(title="Loss curve", xaxis={"title": "training step"}),
        _fig(title="Loss curve", xaxis={"title": "training step"}),
    )
    assert len(translation_problems(zh, en)) == 2
    assert (
        translation_problems(
            _fig(title="损失曲线", xaxis={"title": "PC 1"}), _fig(title="Loss", xaxis={"title": "PC 1"})
        )
        == []
    )


# ---------------------------------------------------------------- explicit export: ui.widgets.chart


def _chart_app():
    import pandas as pd
    import plotly.graph_objects as go

    from ui.widgets import chart

    df = pd.DataFrame({"词": ["猫", "dog", 'say "hi", ok'], "cos": [0.5, -0.25, 1e-9]})
    fig = go.Figure(go.Bar(x=df["词"], y=df["cos"]))
    chart(fig, key="demo", name="近邻 / neighbours: v1", data=df)
    chart(fig, key="plain", name="plain", image_format="svg")


def test_chart_helper_names_the_image_and_offers_a_csv_that_parses_back(media):
    import io

    import pandas as pd
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_chart_app, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    demo, plain = at.get("plotly_chart")
    cfg = json.loads(demo.proto.config)
    assert cfg["toImageButtonOptions"] == {"format": "png", "filename": "neighbours-v1", "scale": 2}
    assert json.loads(plain.proto.config)["toImageButtonOptions"]["format"] == "svg"
    assert not config_problems(Chart("t", None, {}, cfg))
    buttons = at.get("download_button")
    assert [b.key for b in buttons] == ["demo:csv"]  # only the chart given data gets a CSV button
    assert buttons[0].proto.label == "Download CSV"
    raw = media(buttons[0])
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese header
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert back.columns.tolist() == ["词", "cos"]
    assert back["词"].tolist() == ["猫", "dog", 'say "hi", ok']
    assert back["cos"].tolist() == [0.5, -0.25, 1e-9]


def test_attention_weights_csv_from_the_transformer_page(media):
    """A page export end to end (zh): the attention matrix's CSV has one row per query token, each row sums to 1
    (softmax), and the header is the page's own Chinese label."""
    import io

    import numpy as np
    import pandas as pd

    at = open_page("views/transformer/page.py", "zh", transformer_tab="attention")
    button = next(b for b in at.get("download_button") if b.key == "transformer_weights:csv")
    back = pd.read_csv(io.BytesIO(media(button)), encoding="utf-8-sig")
    assert back.columns[0] == strings("zh")["transformer.query"]
    weights = back.iloc[:, 1:].to_numpy(dtype=float)
    assert weights.shape[0] == weights.shape[1] >= 2
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
