"""ui.learner: the session's learner, its outbox and the guesses of ui.predict, under AppTest with a store of its own
(NLP_ATLAS_DATABASE_URL -> a SQLite file of the test). Oracles: the store read back (store.cards, store.learners),
ui.predict.guess_event for what a guess looks like, and the session state itself."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from store import cards, learners
from ui.learner import PRIVATE, learner_seed


@pytest.fixture(autouse=True)
def store_url(sqlite_store):
    return sqlite_store  # tests/conftest.py: a migrated SQLite file of this test


def _app():
    import streamlit as st

    from ui import learner
    from ui.predict import guess_event, record

    st.session_state.setdefault("lang", "en")
    act = st.session_state.pop("act", None)
    if act == "guess":
        record(guess_event("tf_ln_bn", "tf", False, "BatchNorm", "LayerNorm", prompt="Which norm?"))
    elif act == "quiz":
        learner.review("quiz", "w2v-01#0", "w2v", True, {"chosen": 0})
    elif act == "sign_in":
        st.session_state["problem"] = learner.sign_in(st.session_state.pop("code"))
    elif act == "sign_out":
        learner.sign_out()
    learner.sync()
    st.session_state["pending"] = learner.pending()
    learner.show_notices()


def _run(at, act=None, **state):
    if act:
        at.session_state["act"] = act
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_quiz_seed_is_a_stable_function_of_the_learner():
    assert learner_seed(7) == learner_seed(7) and learner_seed(7) != learner_seed(8)
    assert all(0 <= learner_seed(i) < 2**31 for i in range(50)) and len({learner_seed(i) for i in range(50)}) == 50


def test_guesses_wait_for_a_learner_then_become_cards(store_url):
    at = _run(AppTest.from_function(_app, default_timeout=30), "guess")
    assert "coach_learner" not in at.session_state and at.session_state["pending"] == 1  # looking creates nobody
    _run(at, "quiz")  # the first answer creates the learner; the waiting guess is saved with it
    me = at.session_state["coach_learner"]
    assert learners.find_learner(me["code"], store_url) == me["id"]
    assert any(learners.format_code(me["code"]) in t.value for t in at.toast)  # the new code is shown
    (nb,) = cards.notebook(me["id"], url=store_url)
    assert (nb.card.kind, nb.card.ref, nb.card.topic) == ("guess", "tf_ln_bn", "tf")
    assert nb.detail["guess"] == "BatchNorm" and nb.detail["prompt"] == "Which norm?"
    assert cards.counts(me["id"], url=store_url).total == 2 and at.session_state["pending"] == 0
    assert len(at.session_state["coach_events"]) == 1  # ui.predict's list is left as it was
    _run(at)
    _run(at, "guess")  # a later guess is saved at the next run, once
    assert cards.counts(me["id"], url=store_url).total == 2
    assert len(cards.notebook(me["id"], url=store_url)) == 1 and at.session_state["pending"] == 0


def test_switching_learner_drops_the_previous_answers(store_url):
    other = learners.create_learner(store_url)
    at = _run(AppTest.from_function(_app, default_timeout=30), "quiz")
    first = at.session_state["coach_learner"]
    mine = {"interview_progress": {"x": 1}, "predict:tf_ln_bn": {"mode": "guess"}, "coach_cards_due": {"learner": 1}}
    _run(at, **mine, interview_quiz_chapter=2)
    _run(at, "sign_in", code=other.code)
    assert at.session_state["problem"] is None and at.session_state["coach_learner"]["id"] == other.id
    assert not [k for k in mine if k in at.session_state] and at.session_state["interview_quiz_chapter"] == 2
    assert at.session_state["lang"] == "en"
    _run(at, "guess")  # the newcomer's guess is theirs
    assert cards.counts(other.id, url=store_url).total == 1 and cards.counts(first["id"], url=store_url).total == 1
    _run(at, "sign_out")
    assert "coach_learner" not in at.session_state
    _run(at, "guess")  # nobody signed in: it waits, it is nobody's card
    assert at.session_state["pending"] == 1 and cards.counts(other.id, url=store_url).total == 1


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("", "coach.err_code_format"),
        ("one two three", "coach.err_code_format"),
        ("x" * 10_000, "coach.err_code_format"),
    ],
)
def test_a_typed_code_that_is_not_a_code_signs_nobody_in(typed, problem):
    at = _run(AppTest.from_function(_app, default_timeout=30), "sign_in", code=typed)
    assert at.session_state["problem"] == problem and "coach_learner" not in at.session_state


def test_private_keys_are_the_answers_not_the_settings():
    from engine.interview import curriculum as cur

    assert all(PRIVATE.match(f"interview_quiz_{e.id}_{i}") for e in cur.entries() for i in (0, 3))  # the quiz radios
    assert all(
        PRIVATE.match(k)
        for k in (
            "interview_progress",
            "interview_mock",
            "interview_mock_text",
            "interview_quiz_w2v-01_0",
            "interview_quiz_bert-06-3_1",
            "predict:x",
        )
    )
    assert not any(PRIVATE.match(k) for k in ("lang", "interview_quiz_chapter", "quiz_seed", "interview_tab"))


def test_a_learner_the_store_no_longer_knows_is_replaced_and_nothing_is_lost(store_url):
    """The database was reset under a running session: the next answer goes to a new learner, with a notice."""
    at = _run(AppTest.from_function(_app, default_timeout=30), "quiz")
    old = at.session_state["coach_learner"]
    learners.delete_learner(old["id"], store_url)
    _run(at, "quiz")
    new = at.session_state["coach_learner"]
    assert new["code"] != old["code"] and learners.find_learner(new["code"], store_url) == new["id"]
    assert learners.find_learner(old["code"], store_url) is None
    assert cards.counts(new["id"], url=store_url).total == 1 and not at.session_state["coach_outbox"]
    assert any("no longer knows" in w.value for w in at.warning) and at.toast  # the warning, and the new code


def test_an_id_handed_to_somebody_else_is_let_go_before_anything_is_read_or_written(store_url):
    """SQLite gives a deleted learner's id to the next learner: the old session must not become them."""
    at = _run(AppTest.from_function(_app, default_timeout=30), "quiz")
    old = at.session_state["coach_learner"]
    learners.delete_learner(old["id"], store_url)
    other = learners.create_learner(store_url)  # somebody else, perhaps with the very same id
    cards.review(other.id, "quiz", "tf-01#0", "tf", False, {"chosen": 2}, url=store_url)
    _run(at)  # a plain rerun: sync() checks the id against the session's code
    assert "coach_learner" not in at.session_state or at.session_state["coach_learner"]["id"] != other.id
    _run(at, "quiz")  # the next answer goes to a new learner of the session's own, never to `other`
    assert cards.counts(other.id, url=store_url).total == 1
    mine = at.session_state["coach_learner"]
    assert mine["code"] not in (old["code"], other.code)
