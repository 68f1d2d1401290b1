"""What the interview tabs share: the tab codes, the answers in the current language, an answer with its demo link,
a rubric point with the link to the tab that proves it."""

from pathlib import Path

import streamlit as st

from engine.interview import curriculum as cur
from ui.i18n import current_lang, qa, t, tl

ROOT = Path(__file__).resolve().parents[2]
TAB_CODES = ("bank", "quiz", "mock", "review", "tour", "multitask", "noise")  # ?interview_tab=<code> opens that tab


def answers() -> dict[str, dict]:
    """Answers and quiz items per curriculum id, in the current language."""
    return qa(current_lang())


def chapter_names() -> dict[str, str]:
    """Chapter code -> its name in the current language."""
    return dict(zip(cur.chapters(), tl("interview.chapter_names")))


def chapter_labels() -> list[str]:
    """ "All" then every chapter's name: numbers in the URL, labels on screen."""
    names = chapter_names()
    return [t("interview.all"), *(names[c] for c in cur.chapters())]


def chapter_of(qid: str) -> str:
    """The curriculum chapter of a question: the topic of its review cards (store.cards' `topic`)."""
    e = cur.by_id().get(qid)
    return e.chapter if e else "misc"


def progress() -> dict:
    """This session's quiz answers ({"<id>#<item>": {...}}), kept across tabs."""
    return st.session_state.setdefault("interview_progress", {})


def demo_link(e: cur.Entry) -> None:
    page = e.page.replace("-", "_")
    file = f"views/{page}/page.py"
    if (ROOT / file).exists():
        lang = current_lang()
        entry = answers().get(e.id, {})
        label = t("interview.open_demo", page=t(f"nav.{page}"))
        if entry.get("demo"):
            label += f" → {entry['demo']}"  # the tab/section on that page
        params = {"lang": lang, **{k: str(v) for k, v in entry.get("params", {}).items()}}
        if e.page == "interview" and entry.get("demo") in tl("interview.tabs"):  # a lab of this page: open its tab
            params.setdefault("interview_tab", TAB_CODES[tl("interview.tabs").index(entry["demo"])])
        st.page_link(file, label=label, icon=":material/play_circle:", query_params=params)
    else:
        st.caption(t("interview.page_missing"))


def point_link(point) -> None:
    """A link to the demo tab that proves a rubric point (engine.interview.rubrics.Point: page + query params)."""
    file = f"views/{point.page.replace('-', '_')}/page.py"
    if not (ROOT / file).exists():
        st.caption(t("interview.page_missing"))
        return
    st.page_link(
        file,
        label=t("interview.open_demo", page=t(f"nav.{point.page.replace('-', '_')}")),
        icon=":material/play_circle:",
        query_params={**dict(point.params), "lang": current_lang()},
    )


def show_answer(e: cur.Entry) -> None:
    """The 30-second lead in bold, then the depth."""
    entry = answers().get(e.id)
    if not entry:
        st.markdown(t("interview.not_written"))
        return
    if entry.get("lead"):
        st.markdown(f"**{entry['lead'].strip()}**")
    st.markdown(entry["answer"])
