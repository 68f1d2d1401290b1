"""Tab `bank` (?interview_tab=bank): every handbook question, searchable by text and chapter, with its answer and demo."""

import streamlit as st

from engine.interview import curriculum as cur
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound
from views.interview.common import answers, chapter_labels, demo_link, show_answer


@st.fragment  # feeds nothing to the rest of the page: a widget here reruns this tab only
def render() -> None:
    lang, texts, labels, chapters = current_lang(), answers(), chapter_labels(), cur.chapters()
    c1, c2 = st.columns([3, 2])
    query = bound(c1.text_input, t("interview.search"), "", key="interview_search")
    chap = bound(
        c2.selectbox,
        t("interview.chapter"),
        list(range(len(labels))),
        key="interview_chapter",
        format_func=labels.__getitem__,
    )
    found = cur.search(
        cur.entries(),
        query[:200],
        chapter=chapters[chap - 1] if chap else None,
        texts={k: v.get("answer", "") for k, v in texts.items()},
    )
    st.caption(t("interview.found", n=len(found), total=len(cur.entries())))
    show_code(
        cur.search, ["tests/views/interview/test_interview_page.py::test_search_filters_and_missing_answers_say_so"]
    )
    for e in found:
        with st.expander(f"**{e.id}** · {e.title(lang)}" + ("" if e.id in texts else " · ✎")):
            show_answer(e)
            demo_link(e)
