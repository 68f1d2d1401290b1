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

Charts drawn by default are audited on every page and tab (the BERT page renders tabs lazily: each is opened via
session_state["bert_tab"], and each of its labs via "bert_lab"). Charts that appear only after training are
audited by tests/test_charts_trained.py-style checks in the page tests; here a short run of the cheapest training
panel per page adds them (see TRAIN below).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from conftest import nav_pages, open_page
from ui.i18n import strings

pytestmark = pytest.mark.usefixtures("one_torch_thread")

RAW_KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
KNOWN_KEYS = set(strings("en"))
NAMESPACES = {k.split(".")[0] for k in KNOWN_KEYS}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}[ -][A-Za-z]{3,}|^[a-z]{4,}$")  # "loss curve", "probability"
NO_AXES = {"pie", "sankey", "table", "parcoords", "parcats", "sunburst", "treemap", "icicle", "funnelarea",
           "indicator", "scatterpolar", "barpolar", "scatter3d", "surface", "mesh3d", "scattergeo", "choropleth"}
PAGES = [f for f, _ in nav_pages()]


@dataclass
class Chart:
    where: str  # "page · tab" for messages
    key: str | None
    spec: dict
    config: dict

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


def _collect(at, where: str, out: PageCharts) -> None:
    out.exceptions += [f"{where}: {e.value}" for e in at.exception]
    for el in at.get("plotly_chart"):
        out.charts.append(Chart(where, el.key, json.loads(el.proto.spec or "{}"), json.loads(el.proto.config or "{}")))


def _render(page: str, lang: str) -> PageCharts:
    """Every chart the page draws by default, tab by tab (one AppTest session per page and language)."""
    out = PageCharts()
    at = open_page(page, lang)
    stem = page.rsplit("/", 1)[-1]
    _collect(at, f"{stem}", out)
    if "bert_tab" in at.session_state:  # lazy tabs: only the open one renders
        labels = [tab.label for tab in at.tabs]
        for label in labels[1:]:
            at.session_state["bert_tab"] = label
            at.run()
            _collect(at, f"{stem} · {label}", out)
            if "bert_lab" in at.session_state:  # the Labs tab shows one lab at a time
                n = len(at.selectbox(key="bert_lab").options)
                for i in range(1, n):
                    at.selectbox(key="bert_lab").set_value(i).run()
                    _collect(at, f"{stem} · {label} · lab {i}", out)
    return out


_CACHE: dict[tuple[str, str], PageCharts] = {}


def charts_of(page: str, lang: str) -> PageCharts:
    if (page, lang) not in _CACHE:
        _CACHE[(page, lang)] = _render(page, lang)
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
            token_axis = kind == "heatmap" and (_categorical(trace.get(letter))
                                                or layout.get(axis, {}).get("showticklabels") is False)
            needed[axis] = needed.get(axis, False) or not token_axis
    for axis, required in needed.items():
        spec = layout.get(axis, {})
        if spec.get("matches"):  # a shared subplot axis carries the title of the axis it matches
            spec = {**spec, "title": spec.get("title") or layout.get(_axis_name(spec["matches"], axis[0]), {}).get("title")}
        if spec.get("visible") is False or _text(spec.get("title")):
            continue
        if required:
            problems.append(f"{axis} has no title")
        elif not (ROWS if axis.startswith("y") else COLUMNS).search(chart.title):
            problems.append(f"{axis}: token axis without a title, and the chart title does not say what the "
                            f"{'rows' if axis.startswith('y') else 'columns'} are")
    return problems


def text_problems(chart: Chart) -> list[str]:
    return [f"raw i18n key {s!r} at {p}" for p, s in _strings(chart.spec)
            if s.strip() in KNOWN_KEYS or (RAW_KEY.match(s.strip()) and s.split(".")[0] in NAMESPACES)]


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
    return {k: _text(v.get("title")) for k, v in chart.layout.items()
            if re.fullmatch(r"[xy]axis\d*", k) and isinstance(v, dict)}


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
    """Match zh charts with en ones: by key where a chart has one, else by position within the same tab."""
    by_key = {c.key: c for c in en if c.key}
    by_where: dict[str, list[Chart]] = {}
    for c in en:
        by_where.setdefault(c.where, []).append(c)
    pairs, seen = [], {}
    for c in zh:
        where = c.where  # tab labels differ by language: use the tab's position instead
        i = seen[where] = seen.get(where, -1) + 1
        if c.key and c.key in by_key:
            pairs.append((c, by_key[c.key]))
            continue
        en_where = list(by_where)
        zh_where = list(dict.fromkeys(x.where for x in zh))
        idx = zh_where.index(where)
        same = by_where.get(en_where[idx], []) if idx < len(en_where) else []
        pairs.append((c, same[i] if i < len(same) else None))
    return pairs


def audit(page: str) -> list[str]:
    problems = []
    en, zh = charts_of(page, "en"), charts_of(page, "zh")
    problems += en.exceptions + zh.exceptions
    for lang, found in (("en", en), ("zh", zh)):
        for c in found.charts:
            label = f"[{lang}] {c.where} · {c.title or c.key or '?'}"
            if not c.title:
                problems.append(f"{label}: no chart title")
            problems += [f"{label}: {p}" for p in axis_problems(c) + text_problems(c) + config_problems(c)]
    for c, e in _pair(zh.charts, en.charts):
        problems += [f"[zh] {c.where} · {c.title}: {p}" for p in translation_problems(c, e)]
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_labelled_translated_and_exportable(page):
    problems = audit(page)
    assert not problems, "\n".join(problems)
    if page.endswith("home.py"):
        return
    assert charts_of(page, "en").charts, f"{page}: no chart found (is the audit reading the page?)"


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
    assert axis_problems(_fig(data=[{"type": "heatmap", "z": [[1, 2]]}])) == ["xaxis has no title",
                                                                              "yaxis has no title"]
    two = [{"type": "scatter", "x": [1], "y": [1]}, {"type": "scatter", "x": [1], "y": [2], "yaxis": "y2"}]
    assert axis_problems(_fig(data=two, xaxis={"title": "x"}, yaxis={"title": "y"})) == ["yaxis2 has no title"]
    assert axis_problems(_fig(data=[{"type": "pie", "values": [1]}])) == []
    shared = [{"type": "heatmap", "z": [[1]]}, {"type": "heatmap", "z": [[1]], "xaxis": "x2", "yaxis": "y2"}]
    assert axis_problems(_fig(data=shared, xaxis={"title": "a"}, yaxis={"title": "b"}, xaxis2={"title": "c"},
                              yaxis2={"matches": "y"})) == []
    assert text_problems(_fig(title={"text": "bert.dim"})) and not text_problems(_fig(title={"text": "e.g. a"}))
    assert config_problems(Chart("t", None, {}, {"modeBarButtonsToRemove": ["toImage"]}))
    assert config_problems(Chart("t", None, {}, {"displayModeBar": False}))
    assert not config_problems(Chart("t", None, {}, {"toImageButtonOptions": {"format": "svg"}}))
    en, zh = _fig(title="Loss curve", xaxis={"title": "training step"}), _fig(title="Loss curve",
                                                                          xaxis={"title": "training step"})
    assert len(translation_problems(zh, en)) == 2
    assert translation_problems(_fig(title="损失曲线", xaxis={"title": "PC 1"}), _fig(title="Loss", xaxis={"title": "PC 1"})) == []
