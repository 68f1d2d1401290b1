"""Tab `quiz` (?interview_tab=quiz): one chapter's quiz items, choices in a seeded order, every answer kept in the
session and written as an FSRS card (kind "quiz", ref "<qid>#<item>"), scores per chapter, exports.

The order comes from engine.interview.quiz with the learner's seed (ui.learner.quiz_seed), or a teacher's room seed
from ?quiz_seed= (the whole room then sees the same order). The radio's options are the file's choice
indices in that order, so what is stored (progress, cards) does not depend on the seed."""

import streamlit as st

from engine.core.errors import InputError
from engine.interview import curriculum as cur
from engine.interview import quiz as qz
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.learner import quiz_seed, review, show_notices
from ui.widgets import bound, chart
from views.interview.common import answers, chapter_labels, chapter_names, chapter_of, demo_link, progress
from views.interview.identity import export_button
from viz import interview as vz

MAX_SEED = 2**31 - 1


def order(qid: str, item: int, n: int, seed: int) -> list[int]:
    """The file's choice indices in the order shown for this seed (the file's order if the deal lacks the item)."""
    try:
        perm = list(qz.permutation(qid, item, seed))
    except InputError:
        return list(range(n))
    return perm if sorted(perm) == list(range(n)) else list(range(n))


def _answered(qid: str, item: int, key: str, seed: int) -> None:
    """on_change of an item's radio: record the answer in the session and as a card review."""
    chosen = st.session_state.get(key)
    items = answers().get(qid, {}).get("quiz", [])
    if chosen is None or item >= len(items):
        return
    right = int(items[item]["answer"])
    cur.record(progress(), qid, item, chosen, right)
    detail = {"chosen": int(chosen), "answer": right, "seed": seed, "lang": current_lang()}
    review("quiz", f"{qid}#{item}", chapter_of(qid), int(chosen) == right, detail)


@st.fragment  # feeds nothing to the rest of the page: a widget here reruns this tab only
def render() -> None:
    show_notices()
    chapters, done_so_far = cur.chapters(), progress()
    c1, c2 = st.columns([3, 1])
    qchap = bound(
        c1.selectbox,
        t("interview.chapter"),
        list(range(len(chapters))),
        key="interview_quiz_chapter",
        format_func=chapter_labels()[1:].__getitem__,
    )
    room = bound(
        c2.number_input,
        t("interview.room_seed"),
        min_value=0,
        max_value=MAX_SEED,
        value=None,
        step=1,
        key="quiz_seed",
        placeholder=t("interview.room_seed_none"),
        help=t("interview.room_seed_help"),
    )
    seed = int(room) if room is not None else quiz_seed()
    if room is not None:
        st.caption(t("interview.room_seed_on", seed=int(room)))
    ids = [e.id for e in cur.entries() if e.chapter == chapters[qchap]]
    items = cur.quiz_items(answers(), ids)
    if not items:
        st.info(t("interview.no_quiz"))
    for qid, i, q in items:
        with st.container(border=True):
            done = done_so_far.get(f"{qid}#{i}")  # the tab is drawn only while open: show answers given before
            shown = order(qid, i, len(q["choices"]), seed)
            key = f"interview_quiz_{qid}_{i}"
            st.markdown(f"**{qid}** · {q['q']}")  # as text: a disabled radio's label turns pale once answered
            st.radio(
                f"**{qid}** · {q['q']}",
                shown,
                index=shown.index(done["chosen"]) if done and done["chosen"] in shown else None,
                format_func=lambda k, q=q: q["choices"][k],
                key=key,
                on_change=_answered,
                args=(qid, i, key, seed),
                label_visibility="collapsed",
                disabled=done is not None,  # answered: it comes back on the Review tab when it is due
            )
            if done is not None:
                ok = done["correct"]
                (st.success if ok else st.error)(
                    t("interview.right" if ok else "interview.wrong", answer=q["choices"][int(q["answer"])])
                    + " "
                    + q.get("explain", "")
                )
                demo_link(cur.by_id()[qid])
    scores(done_so_far)
    show_code(
        qz.quiz_choices,
        [
            "tests/views/interview/test_interview_page.py::test_quiz_records_score_and_exports",
            "tests/views/interview/test_review_tab.py::test_a_quiz_answer_is_a_card_and_shows_on_the_review_tab",
        ],
    )


def scores(done_so_far: dict) -> None:
    """Right and wrong answers per chapter; the progress as the store's JSON file and as Markdown."""
    sc = cur.scores(done_so_far)
    if not sc:
        st.caption(t("interview.saved_as_cards"))
        return
    names = chapter_names()
    cs = [c for c in cur.chapters() if c in sc]
    fig = vz.chapter_scores(
        [names[c] for c in cs],
        [sc[c][0] for c in cs],
        [sc[c][1] for c in cs],
        title=t("interview.score_title"),
        right_label=t("interview.right_short"),
        wrong_label=t("interview.wrong_short"),
        y_title=t("interview.answered"),
    )
    chart(fig, key="interview_scores", name="interview-quiz-scores")
    c1, c2 = st.columns(2)
    with c1:
        export_button(key="interview_dl_json")
    c2.download_button(
        t("common.download_md"),
        cur.progress_markdown(done_so_far, current_lang(), t("interview.title"), "✓", "✗").encode("utf-8"),
        file_name="quiz_progress.md",
        mime="text/markdown",
        key="interview_dl_md",
    )
    st.caption(t("interview.saved_as_cards"))
