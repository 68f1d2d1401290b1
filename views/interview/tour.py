"""Tab `tour` (?interview_tab=tour): the classroom tour, one question and its demo per step; a link shares a step."""

import streamlit as st

from engine.interview import curriculum as cur
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound
from views.interview.common import demo_link, show_answer


@st.fragment  # feeds nothing to the rest of the page: a widget here reruns this tab only
def render() -> None:
    steps = cur.tour()

    def _move(d):
        st.session_state["interview_step"] = min(max(int(st.session_state.get("interview_step", 1)) + d, 1), len(steps))

    c1, c2, c3 = st.columns([1, 2, 1])
    c1.button(t("interview.prev"), key="interview_prev", on_click=_move, args=(-1,), width="stretch")
    c3.button(t("interview.next"), key="interview_next", on_click=_move, args=(1,), width="stretch")
    step = bound(c2.number_input, t("interview.step", n=len(steps)), 1, len(steps), key="interview_step")
    e = steps[int(step) - 1]
    st.progress(int(step) / len(steps))
    st.subheader(f"{e.id} · {e.title(current_lang())}")
    st.caption(t("interview.presenter", page=t(f"nav.{e.page.replace('-', '_')}")))
    show_answer(e)
    demo_link(e)
    st.caption(t("interview.share"))
    show_code(cur.tour, ["tests/views/interview/test_interview_page.py::test_tour_next_previous_and_bounds"])
