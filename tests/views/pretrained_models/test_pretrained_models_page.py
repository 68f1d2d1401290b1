"""views/pretrained_models/page.py under AppTest: every objective draws without error, empty text warns, a short
teacher run + distillation + measuring fills the compression table (real numbers), in en and zh; the one-hot vs
dense section (ptm-02) and the softmax vs hierarchical-softmax section (misc-14) read back from the figures sent."""

import json
import time

import numpy as np
from conftest import chart_specs, open_page, plotly_array, stop_jobs, wait_for_job

from ui.i18n import strings

OBJECTIVES = ["LM (GPT)", "MLM (BERT)", "PLM (XLNet)", "UniLM seq2seq", "RTD (ELECTRA)", "ELMo", "NSP", "SOP"]


def _wait(at, job, limit=120):
    wait_for_job(job, limit)
    at.run()


TABS = ("objectives", "encoders", "perplexity", "compression", "length", "map")  # ?ptm_tab=<code>


def _open(lang="en", tab=None):
    """The page with tab `tab` open (only the open tab is drawn), as a link ?ptm_tab=<tab> opens it."""
    return open_page("views/pretrained_models/page.py", lang, timeout=120, **({"ptm_tab": tab} if tab else {}))


def _switch(at, lang, tab):
    """Switch to another tab in the same session, as a click on it does."""
    at.session_state["ptm_tab"] = strings(lang)["pretrained_models.tabs"][TABS.index(tab)]
    at.run()


def test_objectives_encoders_and_bad_text():
    at = _open("zh")
    for name in OBJECTIVES:
        at.radio(key="ptm_obj").set_value(name).run()
        assert not at.exception and at.dataframe, name
    at.text_input(key="ptm_sent").set_value("   !!! 😀 ").run()
    assert at.warning and not at.exception
    _switch(at, "zh", "encoders")
    assert not at.exception and "ptm_sent" not in {w.key for w in at.text_input}  # only the open tab is drawn
    for enc in ("CNN", "RNN", "Transformer", "MLP"):
        at.radio(key="ptm_enc").set_value(enc).run()
        assert at.success and not at.exception
    _switch(at, "zh", "perplexity")
    at.text_input(key="ptm_probe").set_value("zzz qqq unknownword").run()  # only unknown words: still a number
    assert not at.exception


def test_a_link_opens_its_tab_with_nothing_trained():
    """?ptm_tab=compression opens the lab first (zh): the teacher can be trained, nothing of the other tabs runs;
    an unknown code opens the first tab."""
    at = _open("zh", "compression")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["ptm_tab"] == strings("zh")["pretrained_models.tabs"][3]
    assert any(b.key == "ptm_teacher:train" for b in at.button) and "job:ptm_teacher" not in at.session_state
    assert not {"ptm_obj", "ptm_enc", "ptm_corpus", "ptm_mode"} & {w.key for w in at.radio}
    at = _open("en", "<script>")
    assert not at.exception and any(w.key == "ptm_obj" for w in at.radio)


def test_compression_lab_measures_real_variants():
    at = _open(tab="compression")
    try:
        at.slider(key="ptm_steps").set_value(50).run()
        at.button(key="ptm_teacher:train").click().run()
        teacher = at.session_state["job:ptm_teacher"]
        _wait(at, teacher)
        assert teacher.status == "done", (teacher.status, len(teacher.history), teacher.seconds)
        at.button(key="ptm_ft:train").click().run()
        ft = at.session_state["job:ptm_ft"]
        time.sleep(3)
        ft.stop.set()  # a few steps are enough here; the engine test checks the effect
        _wait(at, ft)
        assert ft.usable and "acc_random" in ft.history[-1].metrics and not at.exception
        at.button(key="ptm_students:train").click().run()
        students = at.session_state["job:ptm_students"]
        _wait(at, students)
        at.button(key="ptm_measure").click().run()
        res = at.session_state["ptm_results"]
        names = [r.name for r in res]
        assert names[:3] == ["fp32", "int8", "bf16"] and len(res) == 6, names
        fp32, int8 = res[0], res[1]
        assert int8.bytes < fp32.bytes and all(r.latency_ms > 0 for r in res)
        assert res[3].nonzero < fp32.params  # pruned
        half = next(d.value for d in at.dataframe if "fp16" in d.value.iloc[:, 0].tolist())
        assert half.iloc[0, 1] <= 1e-2 and half.iloc[0, 3] == "✓"  # fp16 allclose fp32, atol 1e-2
        assert half.iloc[1, 1] > half.iloc[0, 1]  # bf16 (7 mantissa bits) is coarser
        assert not at.exception
    finally:
        stop_jobs(at)


def test_polysemy_probe_and_representations():
    at = _open(tab="encoders")
    at.button(key="ptm_poly_btn").click().run()
    assert at.session_state["ptm_poly_on"] and not at.exception
    at.text_input(key="ptm_poly").set_value("bank | no separator here").run()
    assert any("bank | no separator here" in w.value for w in at.warning) and not at.exception
    at.text_area(key="ptm_docs").set_value("😀\n!!!").run()
    assert at.warning and not at.exception


def test_one_hot_vs_dense_section():
    """ptm-02: the one-hot cosine panel is the identity, the dense one is not; |V| drives the memory text; bad words
    warn (the section keeps drawing the memory chart)."""
    at = _open("zh", "encoders")
    charts = chart_specs(at)
    one_hot, dense = (plotly_array(tr["z"]) for tr in charts["ptm_dr_cos"]["data"])
    assert np.array_equal(one_hot, np.eye(8)) and np.allclose(np.diag(dense), 1)
    assert dense[0, 1] > 0.3 and not np.allclose(dense, np.eye(8), atol=0.05)  # cat ~ kitten
    bars = charts["ptm_dr_bars"]["data"]
    assert len(bars) == 16 and len(plotly_array(bars[1]["y"])) == 384 and plotly_array(bars[0]["y"]).sum() == 1
    at.select_slider(key="ptm_vocab").set_value(8).run()
    assert any("48" in m.value and "|V| = 8 " in m.value for m in at.markdown), "one-hot smaller below |V| = d"
    at.select_slider(key="ptm_vocab").set_value(100_000).run()
    assert any("40 GB" in m.value for m in at.markdown)  # 100,000² float32
    for bad in ("", "😀 ☃☃", "<script>alert(1)</script>"):
        at.text_input(key="ptm_dr_words").set_value(bad).run()
        assert at.warning and not at.exception and "ptm_dr_mem" in chart_specs(at), bad
    at.text_input(key="ptm_dr_words").set_value("<b>cat</b> dog " + "x" * 10_000).run()
    assert not at.exception and "&lt;b&gt;cat&lt;/b&gt;" in json.dumps(chart_specs(at)["ptm_dr_cos"])


def test_hierarchical_softmax_section():
    """misc-14: the expected Huffman path lies within a bit of the entropy at every |V| (read from the chart's CSV
    table), and timing adds a measured panel."""
    at = _open(tab="compression")
    at.select_slider(key="ptm_hs_vmax").set_value(3000).run()
    spec = chart_specs(at)["ptm_hs_chart"]
    soft, huff, bal = (plotly_array(tr["y"]) for tr in spec["data"])
    assert list(plotly_array(spec["data"][0]["x"])) == [100, 300, 1000, 3000] and list(soft) == [100, 300, 1000, 3000]
    assert (huff <= bal + 1).all() and (huff < soft / 10).all() and "xaxis2" not in spec["layout"]
    at.button(key="ptm_hs_measure").click().run()
    rows = at.session_state["ptm_hs"][1]
    assert [r.vocab for r in rows] == [100, 300, 1000, 3000] and all(r.softmax_ms > 0 and r.hs_ms > 0 for r in rows)
    assert all(r.entropy <= r.mean_length <= r.entropy + 1 for r in rows)
    spec = chart_specs(at)["ptm_hs_chart"]
    assert len(spec["data"]) == 5 and "xaxis2" in spec["layout"] and not at.exception
    at.slider(key="ptm_hs_s").set_value(0.0).run()  # uniform words: the Huffman tree is (nearly) balanced
    huff = plotly_array(chart_specs(at)["ptm_hs_chart"]["data"][1]["y"])
    assert np.allclose(huff, np.log2([100, 300, 1000, 3000]), atol=1) and not at.exception
