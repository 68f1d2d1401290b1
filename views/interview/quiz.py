"""Tab `quiz` (?interview_tab=quiz): one chapter's quiz items, answers kept in the session, scores, exports."""

import streamlit as st

from engine.interview import curriculum as cur
from ui.code import show_code
from ui.i18n import current_lang, t
from ui.widgets import bound, chart, download_json
from views.interview.common import answers, chapter_labels, chapter_names, demo_link, progress
from viz import interview as vz


@st.fragment  # feeds nothing to the rest of the page: a widget here reruns this tab only
def render() -> None:
    chapters, done_so_far = cur.chapters(), progress()
    qchap = bound(
        st.selectbox,
        t("interview.chapter"),
        list(range(len(chapters))),
        key="interview_quiz_chapter",
        format_func=chapter_labels()[1:].__getitem__,
    )
    ids = [e.id for e in cur.entries() if e.chapter == chapters[qchap]]
    items = cur.quiz_items(answers(), ids)
    if not items:
        st.info(t("interview.no_quiz"))
    for qid, i, q in items:
        with st.container(border=True):
            done = done_so_far.get(f"{qid}#{i}")  # the tab is drawn only while open: show answers given before
            pick = st.radio(
                f"**{qid}** · {q['q']}",
                list(range(len(q["choices"]))),
                index=done["chosen"] if done and done["chosen"] < len(q["choices"]) else None,
                format_func=lambda k, q=q: q["choices"][k],
                key=f"interview_quiz_{qid}_{i}",
            )
            if pick is not None:
                cur.record(done_so_far, qid, i, pick, q["answer"])
                ok = pick == q["answer"]
                (st.success if ok else st.error)(
                    t("interview.right" if ok else "interview.wrong", answer=q["choices"][q["answer"]])
                    + " "
                    + q.get("explain", "")
                )
                demo_link(cur.by_id()[qid])
    scores(done_so_far)
    show_code(cur.scores, ["tests/views/interview/test_interview_page.py::test_quiz_records_score_and_exports"])


def scores(done_so_far: dict) -> None:
    """Right and wrong answers per chapter, and the progress as JSON and Markdown."""
    sc = cur.scores(done_so_far)
    if not sc:
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
        download_json(done_so_far, "quiz_progress", key="interview_dl_json")
    c2.download_button(
        t("common.download_md"),
        cur.progress_markdown(done_so_far, current_lang(), t("interview.title"), "✓", "✗").encode("utf-8"),
        file_name="quiz_progress.md",
        mime="text/markdown",
        key="interview_dl_md",
    )
