"""?w2v_tab=step under AppTest: Step three times, Resume / Pause, Reset, in en and zh, and a bad seed by link.
Oracle for what the page shows: the heatmap's "update" panel is its "after" panel minus its "before" panel, equals
−lr × its gradient panel, and its "after" rows are the stepper's parameters now (the engine's own tests check the
maths: tests/engine/embeddings/test_stepper.py)."""

import re

import numpy as np
from conftest import chart_specs, open_page, plotly_array, raw_i18n_keys

from ui.i18n import strings

PAGE = "views/word2vec/page.py"
CJK = re.compile(r"[\u3400-\u9fff]")


def _state(at):
    return at.session_state["w2v_step_state"]


def _check_shown_update(at):
    s = _state(at)["stepper"]
    rec = s.last
    spec = chart_specs(at)["w2v_step_rows"]
    before, after, grad, update = (plotly_array(tr["z"]) for tr in spec["data"][:4])
    np.testing.assert_allclose(after - before, update, atol=1e-12)
    np.testing.assert_allclose(update, -rec.lr * grad, atol=1e-12)
    now = np.vstack([s.params["W_in"][rec.rows["W_in"]], s.params["W_out"][rec.rows["W_out"]]])
    np.testing.assert_allclose(after, now, atol=1e-12)
    for tr in spec["data"][:4]:
        assert len(tr["y"]) == 1 + rec.rows["W_out"].size  # W_in's row, then each output row touched
    for title in (spec["layout"]["title"]["text"], spec["layout"]["xaxis"]["title"]["text"]):
        assert title


def test_step_three_times_resume_pause_and_reset():
    at = open_page(PAGE, "en", w2v_tab="step")
    assert not at.exception, [e.value for e in at.exception]
    en = strings("en")
    assert any(en["stepper.press_step"].split(":")[0] in i.value for i in at.info)
    for n in (1, 2, 3):
        at.button(key="w2v_step_step").click().run()
        assert not at.exception and _state(at)["stepper"].steps == n
        _check_shown_update(at)
    assert any(m.value.startswith("**Step 3**") for m in at.markdown)
    assert plotly_array(chart_specs(at)["w2v_step_loss"]["data"][0]["x"]).tolist() == [
        1,
        2,
        3,
    ]  # one loss point per step
    assert at.dataframe[0].value.shape[0] == 1 + 3  # the target and k = 3 negatives
    at.button(key="w2v_step_resume").click().run()
    running = _state(at)["stepper"].steps
    assert _state(at)["running"] and running > 3 and at.button(key="w2v_step_step").disabled
    at.button(key="w2v_step_pause").click().run()
    paused = _state(at)["stepper"].steps
    at.run()
    assert not _state(at)["running"] and _state(at)["stepper"].steps == paused >= running
    _check_shown_update(at)
    at.button(key="w2v_step_reset").click().run()
    assert _state(at)["stepper"].steps == 0 and _state(at)["stepper"].last is None and not at.exception
    at.button(key="w2v_step_step").click().run()
    assert _state(at)["stepper"].steps == 1


def test_chinese_hierarchical_softmax_steps():
    at = open_page(PAGE, "zh", w2v_tab="step", w2v_step_model="HS", w2v_step_zero="false")
    assert not at.exception, [e.value for e in at.exception]
    for _ in range(3):
        at.button(key="w2v_step_step").click().run()
    s = _state(at)["stepper"]
    assert s.cfg.hs and s.steps == 3
    assert any(CJK.search(w) for w in s.vocab.itos)  # the toy corpus of the current language
    rec = s.last
    assert np.abs(rec.grad["W_in"]).sum() > 0  # W_out started random (?w2v_step_zero=false): W_in moves at once
    assert rec.rows["W_out"].tolist() == s.tree.points[rec.info["centre"]].tolist()  # the Huffman path's nodes
    _check_shown_update(at)
    for spec in chart_specs(at).values():
        assert CJK.search(spec["layout"]["title"]["text"])
    assert not raw_i18n_keys(at)
    at.button(key="w2v_step_reset").click().run()
    assert _state(at)["stepper"].steps == 0 and not at.exception


def test_bad_seed_by_link_gives_a_notice_and_a_usable_stepper():
    """Out of range is clamped, not a number falls back to the default (each with a notice); a NaN learning rate
    too; Step then works with the corrected values."""
    for params, seed in (({"w2v_step_seed": "-5"}, 0), ({"w2v_step_seed": "<b>x</b>", "w2v_step_lr": "nan"}, 0)):
        at = open_page(PAGE, "en", w2v_tab="step", **params)
        assert not at.exception, (params, [e.value for e in at.exception])
        assert at.toast and at.number_input(key="w2v_step_seed").value == seed
        at.button(key="w2v_step_step").click().run()
        assert not at.exception and _state(at)["stepper"].cfg.seed == seed and _state(at)["stepper"].cfg.lr == 0.25
