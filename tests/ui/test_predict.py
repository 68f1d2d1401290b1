"""ui.predict (Predict, then see): nothing is drawn before a commit, the result after; one event per commit with
the right `correct`; "Just show me" reveals without an event; the answer survives reruns; a new variant asks again;
the widgets are not bound to the URL. Oracle: the app's marker lines and st.session_state["coach_events"]."""

from __future__ import annotations

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from ui.i18n import strings
from ui.predict import EVENTS, REVEAL_ALL, answers_of, guess_event, score_choice, score_estimate, state_key

APP = str(ROOT / "tests" / "ui" / "apps" / "predict_app.py")
EN = strings("en")


def _open(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _revealed(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("REVEALED")]


def _gated(at: AppTest) -> bool:
    """The app's line outside any reveal, drawn when answered("demo_choice", variant)."""
    return any(m.value == "GATED choice" for m in at.markdown)


def _events(at: AppTest) -> list[dict]:
    return list(at.session_state[EVENTS]) if EVENTS in at.session_state else []


def _pick(at: AppTest, key: str):
    return at.radio(key=f"{state_key(key)}:pick")


def test_nothing_is_revealed_before_a_commit():
    at = _open()
    assert not at.exception, [e.value for e in at.exception]
    assert _revealed(at) == []
    assert EN["predict.hidden"] in [c.value for c in at.caption]
    _pick(at, "demo_choice").set_value("a").run()  # choosing is not committing
    assert _revealed(at) == [] and _events(at) == []


@pytest.mark.parametrize("guess,correct", [("c", True), ("a", False)])
def test_a_commit_reveals_and_records_one_event(guess, correct):
    at = _open()
    _pick(at, "demo_choice").set_value(guess).run()
    at.button(key=f"{state_key('demo_choice')}:commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _revealed(at) == ["REVEALED choice"]
    (event,) = _events(at)
    assert event["kind"] == "guess" and event["ref"] == "demo_choice" and event["topic"] == "misc"
    assert event["correct"] is correct
    assert event["detail"]["guess"] == {"a": "two", "c": "four"}[guess]
    assert event["detail"]["truth"] == "four"
    assert isinstance(event["ts"], float)
    verdicts = [m.value for m in (at.success if correct else at.error)]
    assert any(v.startswith("✓" if correct else "✗") and "Four is the largest." in v for v in verdicts), verdicts
    # the box stays answered: reruns record nothing more and keep the result drawn
    at.run()
    at.run()
    assert len(_events(at)) == 1 and _revealed(at) == ["REVEALED choice"]
    done = at.radio(key=f"{state_key('demo_choice')}:done")
    assert done.disabled and done.value == guess


def test_commit_without_a_choice_asks_for_one():
    at = _open()
    at.button(key=f"{state_key('demo_choice')}:commit").click().run()
    assert EN["predict.pick_first"] in [w.value for w in at.warning]
    assert _revealed(at) == [] and _events(at) == []


def test_just_show_me_reveals_without_an_event():
    at = _open()
    at.button(key=f"{state_key('demo_choice')}:show").click().run()
    assert _revealed(at) == ["REVEALED choice"]
    assert _events(at) == []
    assert any("four" in m.value for m in at.info)  # the truth is shown, not scored
    at.run()
    assert _revealed(at) == ["REVEALED choice"] and _events(at) == []


def test_ask_again_opens_the_box_and_a_new_commit_is_a_new_event():
    at = _open()
    _pick(at, "demo_choice").set_value("a").run()
    at.button(key=f"{state_key('demo_choice')}:commit").click().run()
    at.button(key=f"{state_key('demo_choice')}:again").click().run()
    assert _revealed(at) == [] and _pick(at, "demo_choice").value is None
    _pick(at, "demo_choice").set_value("c").run()
    at.button(key=f"{state_key('demo_choice')}:commit").click().run()
    assert [e["correct"] for e in _events(at)] == [False, True]


def test_another_variant_is_a_new_question_and_the_old_answer_is_kept():
    at = _open(v="1")
    sk1 = state_key("demo_choice", "1")
    at.radio(key=f"{sk1}:pick").set_value("c").run()
    at.button(key=f"{sk1}:commit").click().run()
    assert _revealed(at) == ["REVEALED choice"]
    at.query_params["v"] = "2"
    at.run()
    assert _revealed(at) == []  # a new variant: asked afresh
    at.query_params["v"] = "1"
    at.run()
    assert _revealed(at) == ["REVEALED choice"] and len(_events(at)) == 1
    assert _events(at)[0]["detail"]["variant"] == "'1'"


@pytest.mark.parametrize("guess,correct", [(0.72, True), (0.5, False)])
def test_numeric_estimate_is_scored_against_its_tolerance(guess, correct):
    at = _open()
    sk = state_key("demo_estimate")
    at.number_input(key=f"{sk}:pick").set_value(guess).run()
    assert "REVEALED estimate" not in _revealed(at)
    at.button(key=f"{sk}:commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "REVEALED estimate" in _revealed(at)
    (event,) = _events(at)
    assert event["ref"] == "demo_estimate" and event["topic"] == "tf" and event["correct"] is correct
    assert event["detail"]["truth"] == "0.70" and event["detail"]["guess"] == f"{guess:.2f}"
    at.run()
    assert len(_events(at)) == 1 and at.number_input(key=f"{sk}:done").value == guess


def test_numeric_commit_without_a_number_asks_for_one():
    at = _open()
    at.button(key=f"{state_key('demo_estimate')}:commit").click().run()
    assert EN["predict.type_first"] in [w.value for w in at.warning]
    assert "REVEALED estimate" not in _revealed(at)


def test_a_guess_cannot_arrive_by_link():
    """The widgets are not URL-bound: a crafted link neither answers nor reveals."""
    sk = state_key("demo_choice")
    at = _open(**{f"{sk}:pick": "c", f"{sk}:commit": "true", sk: "c"})
    assert _revealed(at) == [] and _events(at) == []
    assert _pick(at, "demo_choice").value is None


def test_the_widget_is_in_chinese_too():
    at = _open(lang="zh")
    zh = strings("zh")
    assert at.button(key=f"{state_key('demo_choice')}:commit").label == zh["predict.commit"]
    assert zh["predict.hidden"] in [c.value for c in at.caption]


def test_answered_gates_a_result_drawn_outside_the_reveal():
    at = _open(v="1")
    assert not _gated(at)
    at.radio(key=f"{state_key('demo_choice', '1')}:pick").set_value("a").run()
    assert not _gated(at)  # choosing is not answering
    at.button(key=f"{state_key('demo_choice', '1')}:commit").click().run()
    assert _gated(at)
    at.query_params["v"] = "2"
    at.run()
    assert not _gated(at)  # another variant is another question
    at.button(key=f"{state_key('demo_choice', '2')}:show").click().run()
    assert _gated(at)  # "Just show me" answers too
    at.button(key=f"{state_key('demo_choice', '2')}:again").click().run()
    assert not _gated(at)


def test_reveal_all_answers_every_prompt_like_just_show_me():
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[REVEAL_ALL] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _revealed(at) == ["REVEALED choice", "REVEALED estimate"] and _gated(at)
    assert _events(at) == []  # not scored, nothing recorded
    assert at.session_state[state_key("demo_choice")]["mode"] == "shown"
    assert sum(strings("en")["predict.unscored"].split("{")[0] in m.value for m in at.info) == 2
    assert not [b for b in at.button if b.key.endswith(":commit") or b.key.endswith(":show")]
    at.query_params["v"] = "3"  # a new variant: answered at once as well
    at.run()
    assert _revealed(at) == ["REVEALED choice", "REVEALED estimate"] and _gated(at) and _events(at) == []


def test_reveal_all_cannot_arrive_by_link():
    at = _open(**{REVEAL_ALL: "true"})
    assert _revealed(at) == [] and not _gated(at)


def test_scoring_and_the_event_shape():
    assert score_choice("a", "a") and not score_choice("b", "a") and score_choice("b", {"a", "b"})
    assert answers_of("ab") == {"ab"}  # a code is one answer, not its letters
    assert score_estimate(0.74, 0.7, 0.05) and not score_estimate(0.76, 0.7, 0.05)
    assert not score_estimate(float("nan"), 0.7, 1.0)
    ev = guess_event("k", "w2v", True, "x", "y", prompt="p")
    assert ev["detail"] == {"guess": "x", "truth": "y", "prompt": "p"} and ev["correct"] is True
    with pytest.raises(ValueError):
        guess_event("k", "nlp", True, "x", "y")  # not a chapter code


def test_an_answer_outside_the_options_is_refused(tmp_path):
    app = tmp_path / "bad_app.py"
    app.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom ui.predict import predict_then_see\n"
        "predict_then_see('k', 'q', {'a': 'A'}, answer='z', topic='misc', reveal=lambda: None)\n"
    )
    at = AppTest.from_file(str(app), default_timeout=30).run()
    assert at.exception  # a caller's bug fails loudly (AppTest redacts the message: ValueError "not among the options")
