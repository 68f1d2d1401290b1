"""Tab `review` (?interview_tab=review): spaced review. Every quiz item, mock question and predict-then-see guess the
learner answered is an FSRS card (store.cards); this tab shows what is due today (answered right here), the counts
and the streak, how well each chapter is remembered now (mean FSRS retrievability), the wrong-answer notebook, and
the identity panel (learner code, continue link, sign in, progress file).

A fragment: it feeds nothing to the rest of the page. Every read goes through the store; a database error is a
message, never a traceback."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from engine.interview import curriculum as cur
from engine.interview import grader
from store import cards as store_cards
from store.cards import MARKUP_RE
from ui import learner
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import chart
from views.interview import due, identity
from views.interview.common import answers, chapter_names, demo_link, point_link
from views.interview.grading import plain_md, points_of
from viz import coach as vz

NOTEBOOK_SHOWN = 30


@st.fragment
def render() -> None:
    show_notices_and_save()
    me = learner.current()
    if me is None:
        st.info(t("coach.no_learner"))
        if learner.pending():
            st.caption(t("coach.pending", n=learner.pending()))
    else:
        try:
            overview(me.id)
        except learner.DB_ERRORS as exc:
            st.error(t("coach.err_db_read", why=getattr(exc, "code", type(exc).__name__)), icon=":material/cloud_off:")
    identity.panel()
    # the engine function behind a due follow-up card (scheduling itself is store.cards.review, FSRS: its tests are
    # tests/store/test_cards.py::test_schedule_equals_fsrs_scheduler)
    show_code(
        grader.grade_point,
        [
            "tests/engine/interview/test_grader.py::test_every_point_credits_its_own_statement",
            "tests/views/interview/test_review_tab.py::test_a_due_card_is_answered_on_the_review_tab",
            "tests/views/interview/test_review_tab.py::test_a_wrong_answer_lands_in_the_notebook",
        ],
    )


def show_notices_and_save() -> None:
    learner.save_guesses()  # guesses made in another tab's fragment since the last full run
    learner.show_notices()


def overview(learner_id: int) -> None:
    tz, url = learner.timezone_of_browser(), learner._url()
    counts = store_cards.counts(learner_id, tz=tz, url=url)
    c = st.columns(5)
    c[0].metric(t("coach.m_due_today"), counts.due_today)
    c[1].metric(t("coach.m_due_now"), counts.due_now)
    c[2].metric(t("coach.m_streak"), store_cards.streak(learner_id, tz=tz, url=url))
    c[3].metric(t("coach.m_cards"), counts.total, help=t("coach.m_cards_help", n=counts.reviewed_today))
    c[4].metric(t("coach.m_wrong"), counts.wrong)
    st.subheader(t("coach.due_title"))
    due.draw(learner_id, tz)
    mastery(store_cards.topic_stats(learner_id, url=url))
    notebook(store_cards.notebook(learner_id, limit=NOTEBOOK_SHOWN, url=url))


def mastery(stats: dict) -> None:
    st.subheader(t("coach.mastery_title"))
    if not stats:
        st.caption(t("coach.mastery_none"))
        return
    names = chapter_names()
    topics = [c for c in cur.chapters() if c in stats] + sorted(set(stats) - set(cur.chapters()))
    labels = [names.get(c, c) for c in topics]
    fig = vz.mastery(
        labels,
        [stats[c].retrievability for c in topics],
        [stats[c].cards for c in topics],
        [stats[c].due for c in topics],
        [1 - stats[c].wrong / stats[c].cards for c in topics],
        title=t("coach.mastery_chart"),
        x_title=t("interview.chapter"),
        y_title=t("coach.share"),
        recall_label=t("coach.retrievability"),
        right_label=t("coach.last_right"),
        cards_label=t("coach.m_cards"),
        due_label=t("coach.m_due_now"),
    )
    data = pd.DataFrame(
        {
            "chapter": topics,
            "retrievability": [round(stats[c].retrievability, 4) for c in topics],
            "cards": [stats[c].cards for c in topics],
            "due": [stats[c].due for c in topics],
            "wrong": [stats[c].wrong for c in topics],
        }
    )
    chart(fig, key="coach_mastery", name="interview-mastery", data=data)
    st.caption(t("coach.mastery_caption"))


def as_typed(text) -> str:
    """A stored text as the learner typed it: the store HTML-escapes a text with a tag in it; undo exactly that."""
    text = str(text or "")
    raw = html.unescape(text)
    return raw if MARKUP_RE.search(raw) and html.escape(raw, quote=False) == text else text


def notebook(entries: list) -> None:
    st.subheader(t("coach.notebook_title"))
    if not entries:
        st.caption(t("coach.notebook_none"))
        return
    lang, bank = current_lang(), answers()
    for n in entries:
        card, d = n.card, n.detail or {}
        qid = card.ref.split("#")[0].split(":")[0]
        e = cur.by_id().get(qid)
        title = e.title(lang) if e and card.kind != "guess" else card.ref
        when = n.reviewed_at.astimezone(learner.timezone_of_browser()).strftime("%Y-%m-%d %H:%M")
        with st.expander(f"✗ {card.ref} · {plain_md(title)} · {when}"):
            if card.kind == "quiz":
                _quiz_entry(card, d, bank)
            elif card.kind == "mock":
                _mock_entry(card, d, lang)
            else:
                _guess_entry(d)
            if e is not None and card.kind != "guess":
                demo_link(e)


def _quiz_entry(card, d: dict, bank: dict) -> None:
    qid, _, item = card.ref.partition("#")
    items = bank.get(qid, {}).get("quiz", [])
    if not item.isdigit() or int(item) >= len(items):
        st.caption(t("coach.card_gone", ref=card.ref))
        return
    q = items[int(item)]
    choices, chosen = q["choices"], d.get("chosen")
    st.markdown(q["q"])
    said = choices[chosen] if isinstance(chosen, int) and 0 <= chosen < len(choices) else "—"
    st.markdown(t("coach.nb_chose", said=said) + "  \n" + t("coach.nb_right", right=choices[int(q["answer"])]))
    if q.get("explain"):
        st.caption(q["explain"])


def _mock_entry(card, d: dict, lang: str) -> None:
    qid, _, point = card.ref.partition(":")
    st.caption(t("interview.you_wrote"))
    st.text(as_typed(d.get("text")) or "—")
    if isinstance(d.get("score"), (int, float)):
        st.markdown(t("interview.mock_score", pct=round(100 * float(d["score"]))))
    pts = points_of(qid, lang)
    missed = [p for p in d.get("missed", []) if isinstance(p, str)] or ([point] if point else [])
    for pid in missed:
        if pid in pts:
            st.markdown("✗ " + plain_md(pts[pid].say))
            point_link(pts[pid])


def _guess_entry(d: dict) -> None:
    if d.get("prompt"):
        st.markdown(plain_md(as_typed(d["prompt"])))
    st.markdown(
        t("coach.nb_chose", said=plain_md(as_typed(d.get("guess", "—"))))
        + "  \n"
        + t("coach.nb_right", right=plain_md(as_typed(d.get("truth", "—"))))
    )
