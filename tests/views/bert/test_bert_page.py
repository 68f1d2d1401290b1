"""Page interactions on views/bert/page.py under AppTest: every tab renders, bad input gives a message instead of a
traceback, a short live training run ends with predictions drawn, and the trained model is kept after bad input."""

from __future__ import annotations

import pytest
from conftest import ROOT, show_answers, stop_after
from streamlit.testing.v1 import AppTest

from ui.i18n import strings

PAGE = "views/bert/page.py"
TABS = strings("en")["bert.tabs"]


@pytest.fixture()
def at():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.query_params["lang"] = "en"
    app.query_params["bert_corpus"] = "toy_en"  # small corpus: fast vocabulary and pairs
    app.run()
    app.switch_page(PAGE).run()
    assert app.selectbox(key="bert_corpus").value == "toy_en"
    yield app
    if "job:bert" in app.session_state:
        app.session_state["job:bert"].stop.set()
        app.session_state["job:bert"].wait(30)


def _tab(at: AppTest, i: int) -> AppTest:
    at.session_state["bert_tab"] = TABS[i]
    return at.run()


def _messages(at: AppTest) -> list[str]:
    return [m.value for m in list(at.warning) + list(at.error) + list(at.info)]


def test_input_tab_shows_pieces_and_rejects_empty_text(at):
    assert not at.exception
    assert len(at.dataframe) == 2  # our WordPiece table and the real BERT vocabulary's
    at.text_input(key="bert_a").set_value("").run()
    assert not at.exception and any("type a sentence" in m for m in _messages(at))


def test_masking_tab_bad_split_and_hostile_text(at):
    _tab(at, 1)
    assert not at.exception
    at.slider(key="bert_rep").set_value(0.95)
    at.slider(key="bert_rnd").set_value(0.5)
    at.run()
    assert not at.exception and any("cannot exceed 100%" in m for m in _messages(at))
    at.slider(key="bert_rnd").set_value(0.0).run()
    at.slider(key="bert_rep").set_value(1.0).run()
    assert not any("Always [MASK]" in m for m in _messages(at))  # the note answers the [MASK]-share prompt
    show_answers(at)  # as a learner would: "Just show me"
    assert any("Always [MASK]" in m for m in _messages(at))
    for text in ["😀🎉 🙂", "x" * 10_000, ""]:
        at.text_input(key="bert_mtext").set_value(text).run()
        assert not at.exception, (text[:20], [e.value for e in at.exception])


def test_short_training_then_bad_queries_keep_the_model(at):
    _tab(at, 3)
    at.button(key="bert:train").click().run()
    job = stop_after(at.session_state["job:bert"], 30, poll=0.5)
    at.run()
    assert job.usable and not at.exception, (job.status, job.error)
    assert any("mlm_acc" in h.metrics for h in job.history)
    for text, expect in [
        ("the cat is a friendly pet", "at least one [MASK]"),
        (" ".join(["[MASK]"] * 12), "Too many"),
        ("😀 [MASK] 🙂", "outside this vocabulary"),
        ("the " * 3000 + "[MASK]", "too long"),
    ]:
        at.text_input(key="bert_query").set_value(text).run()
        assert not at.exception and any(expect in m for m in _messages(at)), (text[:30], _messages(at))
        assert at.session_state["job:bert"] is job
    at.slider(key="bert_layers").set_value(4).run()
    _tab(at, 4)  # the attention tab draws the trained tiny model
    assert not at.exception and at.session_state["job:bert"] is job


def test_sizes_and_visibility_tabs(at):
    _tab(at, 6)
    assert not at.exception
    at.number_input(key="bert_A").set_value(7).run()
    assert any("multiple of A" in m for m in _messages(at))
    _tab(at, 7)
    at.text_input(key="bert_vis").set_value("").run()
    assert not at.exception
    at.text_input(key="bert_vis").set_value(" ".join(["w"] * 100)).run()
    assert not at.exception
