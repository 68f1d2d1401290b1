"""Interview prep: every handbook question with its answer and demo link, a quiz, a timed mock interview graded
offline, spaced review of everything answered (FSRS cards kept in the database under a learner code), a classroom
tour, and two mini-labs (multi-task sharing, noisy labels).

Only the open tab is drawn (ui.tabs.show_tabs), one module per tab code. Tabs that feed nothing to the rest of the
page are fragments (bank, quiz, review, tour); the mock interview (its own timer fragment) and the two labs (training
panels) run in the script."""

import streamlit as st

from ui.i18n import t, tl
from ui.tabs import show_tabs
from views.interview import bank, mock, multitask, noise, quiz, review, tour
from views.interview.common import TAB_CODES, progress

progress()  # the quiz's answers live in the session from the first visit
st.title(t("interview.title"))
st.markdown(t("interview.intro"))
tabs = {
    "bank": bank.render,
    "quiz": quiz.render,
    "mock": mock.render,
    "review": review.render,
    "tour": tour.render,
    "multitask": multitask.render,
    "noise": noise.render,
}
assert tuple(tabs) == TAB_CODES  # the demo links of this page's own labs name their tab by code (common.demo_link)
show_tabs("interview_tab", tabs, tl("interview.tabs"))
