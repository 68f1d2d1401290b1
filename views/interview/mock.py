"""Tab `mock` (?interview_tab=mock): a timed mock interview on seeded questions with free answers, graded offline.

Each question: the learner writes an answer, "Grade" scores it against the question's rubric (engine.interview.grader:
a score in [0, 1], each point hit or missed, each missed point linked to the demo tab that proves it), then the next
question is the follow-up on a missed point, graded on that point alone; then on to the next drawn question. Every
graded answer is an FSRS card (kind "mock": the question "<qid>" and each key point "<qid>:<point>", ui.learner).

Not a fragment: it holds its own timer fragment (fragments do not nest). The buttons act in on_click callbacks (they
run before the rerun, so the rerun draws the graded answer at once)."""

import time

import streamlit as st

from engine.interview import curriculum as cur
from engine.interview import grader
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.learner import show_notices
from ui.widgets import bound
from views.interview.common import demo_link, show_answer
from views.interview.grading import grade_follow_up, grade_question, plain_md, points_of, show_result, warn_if_long

STATE = "interview_mock"
FRESH = {"i": 0, "start": None, "grades": {}, "result": None, "follow": None}


def _state() -> dict:
    mock = st.session_state.setdefault(STATE, dict(FRESH))
    for k, v in FRESH.items():  # a session from before the grader
        mock.setdefault(k, v)
    return mock


def _start() -> None:
    st.session_state[STATE] = {**FRESH, "grades": {}, "start": time.time()}
    _clear_texts()


def _clear_texts() -> None:
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith("interview_mock_text")]:
        del st.session_state[k]


def _grade(qid: str) -> None:
    mock = _state()
    mock["result"] = grade_question(qid, st.session_state.get("interview_mock_text"), current_lang())
    mock["grades"][qid] = mock["result"].get("score")


def _grade_follow(qid: str, point: str) -> None:
    mock = _state()
    mock["follow"] = grade_follow_up(qid, point, st.session_state.get("interview_mock_text_follow"), current_lang())


def _next(n: int) -> None:
    mock = _state()
    mock.update(i=mock["i"] + 1, start=time.time(), result=None, follow=None)
    if mock["i"] >= n:
        mock["start"] = None
    _clear_texts()


def _skip(qid: str, n: int) -> None:
    _state()["grades"][qid] = None
    _next(n)


def render() -> None:
    show_notices()
    lang = current_lang()
    c = st.columns(3)
    seed = bound(c[0].number_input, t("common.seed"), 0, 100_000, 0, key="interview_mock_seed")
    n_q = bound(c[1].slider, t("interview.mock_n"), 1, 15, 5, key="interview_mock_n")
    minutes = bound(c[2].slider, t("interview.mock_minutes"), 1, 10, 2, key="interview_mock_min")
    drawn = cur.draw([e.id for e in cur.entries()], n_q, int(seed))
    mock = _state()
    st.button(t("interview.mock_start"), key="interview_mock_go", type="primary", on_click=_start)
    if mock["start"] is not None:
        i = min(mock["i"], len(drawn) - 1)
        e = cur.by_id()[drawn[i]]
        st.subheader(t("interview.mock_q", i=i + 1, n=len(drawn)) + f" · {e.title(lang)}")
        _timer(mock, minutes)
        res = mock["result"] if mock["result"] and mock["result"]["qid"] == e.id else None
        if res is None:
            _answer_box("interview_mock_text", t("interview.mock_answer"))
            row = st.container(horizontal=True)
            row.button(
                t("interview.mock_grade"), key="interview_mock_grade", type="primary", on_click=_grade, args=(e.id,)
            )
            row.button(t("interview.mock_skip"), key="interview_mock_skip", on_click=_skip, args=(e.id, len(drawn)))
        else:
            show_result(res, lang)
            _follow_up(e.id, res, lang)
            st.button(
                t("interview.mock_next"), key="interview_mock_next", type="primary", on_click=_next, args=(len(drawn),)
            )
        with st.expander(t("interview.mock_reveal")):
            show_answer(e)
            demo_link(e)
    if mock["grades"]:
        st.markdown(
            "\n".join(
                f"- {qid}: "
                + (t("interview.mock_skipped") if s is None else t("interview.mock_score", pct=round(100 * s)))
                for qid, s in mock["grades"].items()
            )
        )
    show_code(
        grader.grade_answer,
        [
            "tests/views/interview/test_mock_graded.py::test_a_good_answer_scores_high_and_is_a_card",
            "tests/views/interview/test_mock_graded.py::test_a_missed_point_links_its_demo_and_is_asked_next",
            "tests/views/interview/test_interview_page.py::test_mock_interview_uses_the_seeded_draw",
        ],
    )


def _timer(mock: dict, minutes: int) -> None:
    @st.fragment(run_every=1.0)
    def _tick():
        left = minutes * 60 - (time.time() - (mock["start"] or time.time()))
        st.progress(
            max(left, 0) / (minutes * 60),
            text=t("interview.mock_left", s=max(int(left), 0)) if left > 0 else t("interview.mock_over"),
        )

    _tick()


def _answer_box(key: str, label: str) -> None:
    st.text_area(label, key=key, height=160, placeholder=t("interview.mock_placeholder"))
    warn_if_long(st.session_state.get(key))


def _follow_up(qid: str, res: dict, lang: str) -> None:
    """The next question: the follow-up on the missed point the grader picked, graded on that point alone."""
    point = points_of(qid, lang).get(res.get("follow") or "")
    if point is None:
        return
    st.markdown(f"**{t('interview.mock_follow')}** {plain_md(point.ask)}")
    done = _state()["follow"]
    if done and done.get("point") == point.id:
        show_result(done, lang)
        return
    _answer_box("interview_mock_text_follow", t("interview.mock_answer"))
    st.button(
        t("interview.mock_grade"), key="interview_mock_grade_follow", on_click=_grade_follow, args=(qid, point.id)
    )
