"""Tab `mock` (?interview_tab=mock): a timed mock interview on seeded questions, graded by the learner.

Not a fragment: it holds its own timer fragment (fragments do not nest)."""

import time

import streamlit as st

from engine.interview import curriculum as cur
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound
from views.interview.common import demo_link, show_answer


def render() -> None:
    c = st.columns(3)
    seed = bound(c[0].number_input, t("common.seed"), 0, 100_000, 0, key="interview_mock_seed")
    n_q = bound(c[1].slider, t("interview.mock_n"), 1, 15, 5, key="interview_mock_n")
    minutes = bound(c[2].slider, t("interview.mock_minutes"), 1, 10, 2, key="interview_mock_min")
    drawn = cur.draw([e.id for e in cur.entries()], n_q, int(seed))
    mock = st.session_state.setdefault("interview_mock", {"i": 0, "start": None, "grades": {}})
    if st.button(t("interview.mock_start"), key="interview_mock_go", type="primary"):
        mock.update(i=0, start=time.time(), grades={})
    if mock["start"] is not None:
        i = min(mock["i"], len(drawn) - 1)
        e = cur.by_id()[drawn[i]]
        st.subheader(t("interview.mock_q", i=i + 1, n=len(drawn)) + f" · {e.title(current_lang())}")

        @st.fragment(run_every=1.0)
        def _timer():
            left = minutes * 60 - (time.time() - mock["start"])
            st.progress(
                max(left, 0) / (minutes * 60),
                text=t("interview.mock_left", s=max(int(left), 0)) if left > 0 else t("interview.mock_over"),
            )

        _timer()
        with st.expander(t("interview.mock_reveal")):
            show_answer(e)
            demo_link(e)
        c1, c2, c3 = st.columns(3)
        for col, grade in ((c1, "knew"), (c2, "partly"), (c3, "missed")):
            if col.button(t(f"interview.mock_{grade}"), key=f"interview_mock_{grade}"):
                mock["grades"][e.id] = grade
                mock.update(i=i + 1, start=time.time())
                if i + 1 >= len(drawn):
                    mock["start"] = None
                st.rerun()
    if mock["grades"]:
        st.markdown("\n".join(f"- {qid}: {t(f'interview.mock_{g}')}" for qid, g in mock["grades"].items()))
    show_code(cur.draw, ["tests/views/interview/test_interview_page.py::test_mock_interview_uses_the_seeded_draw"])
