"""The Transformer page under AppTest: bad input gets a clear message, a short live training run decodes."""

from __future__ import annotations

import pytest
from conftest import ROOT, stop_jobs, wait_for_job
from streamlit.testing.v1 import AppTest

from ui.i18n import strings

PAGE = "views/transformer/page.py"
EN = strings("en")


@pytest.fixture
def at(request):
    """The page in English; a test marked `@pytest.mark.parametrize("at", [code], indirect=True)` opens that tab
    (only the open tab is drawn: ?transformer_tab=<code>)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.query_params["lang"] = "en"
    if getattr(request, "param", None):
        app.query_params["transformer_tab"] = request.param
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.value for e in app.exception]
    yield app
    stop_jobs(app)


def _texts(at: AppTest, kind: str) -> list[str]:
    return [el.value for el in getattr(at, kind)]


@pytest.mark.parametrize("at", ["attention"], indirect=True)
@pytest.mark.parametrize(
    "text,key",
    [("", "transformer.err_empty"), ("   ", "transformer.err_empty"), ("word " * 1000, "transformer.err_too_long")],
)
def test_bad_sentence_gets_a_message(at, text, key):
    at.text_input(key="transformer_sentence").set_value(text).run()
    assert not at.exception
    assert EN[key] in _texts(at, "warning")
    assert EN["transformer.scaling_title"] in [el.value for el in at.subheader]  # the rest of the tab still renders


def test_heads_not_dividing_d_model(at):  # the first tab, open by default
    at.number_input(key="transformer_arch_d").set_value(30)
    at.number_input(key="transformer_arch_h").set_value(4)
    at.run()
    assert not at.exception
    assert any("30" in e and "4" in e for e in _texts(at, "error"))


@pytest.mark.parametrize("at", ["seq2seq"], indirect=True)
@pytest.mark.parametrize("field,value", [("transformer_layers", 0), ("transformer_d", 36)])
def test_bad_model_settings_refuse_to_train(at, field, value):
    """0 layers, or d_model 36 with 4 heads (36 is a multiple of 4, so use 5 heads) → a message, no job."""
    at.number_input(key=field).set_value(value)
    if field == "transformer_d":
        at.number_input(key="transformer_heads").set_value(5)
    at.run()
    at.button(key="transformer_seq2seq:train").click().run()
    assert not at.exception
    assert any(e.startswith("Cannot start") for e in _texts(at, "error")), _texts(at, "error")
    assert "job:transformer_seq2seq" not in at.session_state


@pytest.mark.parametrize("at", ["seq2seq"], indirect=True)
def test_short_training_run_then_decode(at):
    at.number_input(key="transformer_steps").set_value(30)
    at.number_input(key="transformer_d").set_value(16)
    at.number_input(key="transformer_layers").set_value(1)
    at.run()
    at.button(key="transformer_seq2seq:train").click().run()
    job = wait_for_job(at.session_state["job:transformer_seq2seq"], 120)
    assert job.status == "done", (job.status, job.error)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.startswith("Greedy output") for m in _texts(at, "success") + _texts(at, "warning"))
    # the trained model survives bad input in the decoding box
    at.text_input(key="transformer_digits").set_value("12ab").run()
    assert EN["transformer.err_digits"] in _texts(at, "warning")
    assert at.session_state["job:transformer_seq2seq"] is job


@pytest.mark.parametrize("at", ["cost"], indirect=True)
def test_only_the_open_tab_is_drawn(at):
    """?transformer_tab=cost opens the cost tab and draws nothing of the others (their widgets are absent)."""
    assert at.session_state["transformer_tab"] == EN["transformer.tabs"][5]
    keys = {w.key for w in at.select_slider}
    assert "transformer_cost_n" in keys and "transformer_scale_dk" not in keys
    assert not [w for w in at.number_input if w.key in ("transformer_arch_n", "transformer_steps")]
    at.session_state["transformer_tab"] = EN["transformer.tabs"][3]  # switch to the seq2seq tab: nothing trained yet
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="transformer_steps").value == 600
    assert EN["transformer.len_title"] in [h.value for h in at.subheader]
