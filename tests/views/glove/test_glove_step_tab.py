"""?glove_tab=step under AppTest: Step three times, Resume / Pause, Reset, in en and zh, and a bad seed by link.
Oracle for what the page shows: the heatmap's "update" panel is its "after" panel minus its "before" panel, equals
AdaGrad's −lr × gradient / √G (G: the accumulators before the step), and its "after" rows are the stepper's
parameters now (the engine's own tests check the maths: tests/engine/embeddings/test_stepper.py)."""

import re

import numpy as np
from conftest import chart_specs, open_page, plotly_array, raw_i18n_keys

from ui.i18n import strings

PAGE = "views/glove/page.py"
CJK = re.compile(r"[\u3400-\u9fff]")


def _state(at):
    return at.session_state["glove_step_state"]


def _check_shown_update(at):
    s = _state(at)["stepper"]
    rec, p = s.last, s.params
    i, j = rec.info["i"], rec.info["j"]
    spec = chart_specs(at)["glove_step_rows"]
    before, after, grad, update = (plotly_array(tr["z"]) for tr in spec["data"][:4])
    np.testing.assert_allclose(after - before, update, atol=1e-12)
    G = rec.info["gradsq_before"]
    G = np.vstack([np.r_[G["w"][0], G["b"][0]], np.r_[G["w_ctx"][0], G["b_ctx"][0]]])
    np.testing.assert_allclose(update, -rec.lr * grad / np.sqrt(G), rtol=1e-9, atol=1e-15)
    now = np.vstack([np.r_[p["w"][i], p["b"][i]], np.r_[p["w_ctx"][j], p["b_ctx"][j]]])
    np.testing.assert_allclose(after, now, atol=1e-12)  # rows: w_i with b_i, w̃_j with b̃_j
    assert spec["layout"]["title"]["text"] and spec["layout"]["xaxis"]["title"]["text"]


def test_step_three_times_resume_pause_and_reset():
    at = open_page(PAGE, "en", glove_tab="step")
    assert not at.exception, [e.value for e in at.exception]
    assert any(strings("en")["stepper.press_step"].split(":")[0] in i.value for i in at.info)
    for n in (1, 2, 3):
        at.button(key="glove_step_step").click().run()
        assert not at.exception and _state(at)["stepper"].steps == n
        _check_shown_update(at)
    assert any(m.value.startswith("**Step 3**") for m in at.markdown)
    assert plotly_array(chart_specs(at)["glove_step_loss"]["data"][0]["x"]).tolist() == [1, 2, 3]
    at.button(key="glove_step_resume").click().run()
    running = _state(at)["stepper"].steps
    assert _state(at)["running"] and running > 3 and at.button(key="glove_step_step").disabled
    at.button(key="glove_step_pause").click().run()
    paused = _state(at)["stepper"].steps
    at.run()
    assert not _state(at)["running"] and _state(at)["stepper"].steps == paused >= running
    _check_shown_update(at)
    at.button(key="glove_step_reset").click().run()
    assert _state(at)["stepper"].steps == 0 and _state(at)["stepper"].last is None and not at.exception


def test_chinese_steps_on_the_chinese_toy_counts():
    at = open_page(PAGE, "zh", glove_tab="step", glove_step_dim="3")
    assert not at.exception, [e.value for e in at.exception]
    for _ in range(3):
        at.button(key="glove_step_step").click().run()
    s = _state(at)["stepper"]
    assert s.steps == 3 and s.cfg.dim == 3 and any(CJK.search(w) for w in s.vocab.itos)
    assert s.pairs.vals[s.last.info["cell"]] == s.last.info["x"] > 0  # a non-zero cell of X
    _check_shown_update(at)
    for spec in chart_specs(at).values():
        assert CJK.search(spec["layout"]["title"]["text"])
    assert not raw_i18n_keys(at)
    at.button(key="glove_step_reset").click().run()
    assert _state(at)["stepper"].steps == 0 and not at.exception


def test_bad_seed_by_link_gives_a_notice_and_a_usable_stepper():
    """Out of range is clamped, not a number falls back to the default (each with a notice); Step then works."""
    for raw, seed in (("1e99", 10**6), ("<script>", 0)):
        at = open_page(PAGE, "en", glove_tab="step", glove_step_seed=raw, glove_step_lr="-1")
        assert not at.exception, (raw, [e.value for e in at.exception])
        assert at.toast and at.number_input(key="glove_step_seed").value == seed
        at.button(key="glove_step_step").click().run()
        assert not at.exception and _state(at)["stepper"].cfg.seed == seed and _state(at)["stepper"].cfg.lr == 0.001
