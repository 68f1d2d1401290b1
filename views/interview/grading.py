"""A free answer graded offline (engine.interview.grader) and written as cards (kind "mock": the question "<qid>" and
each of its key points "<qid>:<point>"), and the result drawn: shared by the mock interview and the Review tab's mock
cards.

The learner's text is shown back with st.text (never as Markdown or HTML: what they typed cannot inject anything);
the rubric's own sentences go through `plain_md`, since a formula's `_` or `*` would otherwise turn into emphasis."""

from __future__ import annotations

import re

import streamlit as st

from engine.core.errors import InputError
from engine.interview import grader
from engine.interview import rubrics as rb
from ui import learner
from ui.i18n import t
from views.interview.common import chapter_of, point_link

MAX_CHARS = grader.MAX_CHARS  # 4,000: longer answers are cut, with a notice
PASS = 0.5  # a question scored at least this counts as answered right (its card: Good or Hard, else Again)
_MD = re.compile(r"([\\`*_\[\]<>$#|~])")


def plain_md(text: str) -> str:
    """Text for st.markdown with every Markdown / HTML character escaped."""
    return _MD.sub(r"\\\1", str(text))


def capped(text: str | None) -> tuple[str, int]:
    """(the answer cut to MAX_CHARS, the length it had)."""
    text = text if isinstance(text, str) else ""
    return text[:MAX_CHARS], len(text)


def warn_if_long(text: str | None) -> None:
    if isinstance(text, str) and len(text) > MAX_CHARS:
        st.warning(t("interview.mock_cut", n=MAX_CHARS, had=len(text)))


def rating(score: float) -> int:
    """FSRS rating of a graded answer: Again below PASS, Hard below 0.8, else Good."""
    return 1 if score < PASS else 2 if score < 0.8 else 3


def _result(g: grader.Grade, qid: str, point: str | None, text: str, had: int) -> dict:
    return {
        "qid": qid,
        "point": point,
        "text": text,
        "cut": had > MAX_CHARS,
        "score": float(g.score),
        "points": [(pid, bool(hit)) for pid, hit in g.points],
        "contradicted": list(g.contradicted),
        "notes": list(g.notes),
    }


def grade_question(qid: str, raw: str | None, lang: str) -> dict:
    """Grade an answer to question `qid`, write its card ("<qid>"), and pick the follow-up (a missed point)."""
    text, had = capped(raw)
    try:
        g = grader.grade_answer(qid, text, lang)
    except InputError as exc:  # no rubric for this question in this language
        return {"qid": qid, "point": None, "error": exc.code, "text": text, "cut": had > MAX_CHARS}
    res = _result(g, qid, None, text, had)
    nxt = grader.follow_up(qid, g, lang)
    res["follow"] = nxt.id if nxt is not None else None
    missed = [p.id for p in g.missed][:20]
    topic = chapter_of(qid)
    detail = {"text": text, "score": round(g.score, 3), "missed": missed, "lang": lang}
    learner.review("mock", qid, topic, g.score >= PASS, detail, rating=rating(g.score))
    for pid, hit in g.points:  # each key point is a card too: a missed one comes back as its follow-up question
        point = {"text": text, "score": float(hit), "missed": [] if hit else [pid], "lang": lang}
        learner.review("mock", f"{qid}:{pid}", topic, bool(hit), point)
    return res


def grade_follow_up(qid: str, point: str, raw: str | None, lang: str) -> dict:
    """Grade the answer to a follow-up on one point and write its card ("<qid>:<point>")."""
    text, had = capped(raw)
    try:
        g = grader.grade_point(qid, point, text, lang)
    except InputError as exc:
        return {"qid": qid, "point": point, "error": exc.code, "text": text, "cut": had > MAX_CHARS}
    res = _result(g, qid, point, text, had)
    hit = bool(g.points and g.points[0][1])
    detail = {"text": text, "score": round(g.score, 3), "missed": [] if hit else [point], "lang": lang}
    learner.review("mock", f"{qid}:{point}", chapter_of(qid), hit, detail)
    return res


def points_of(qid: str, lang: str) -> dict[str, rb.Point]:
    try:
        return {p.id: p for p in rb.points(qid, lang)}
    except InputError:
        return {}


def show_result(res: dict, lang: str) -> None:
    """What was written (as text), the score, and each point ✓ / ✗ with what an interviewer listens for; a missed
    point links to the demo tab that proves it."""
    st.caption(t("interview.you_wrote"))
    st.text(res["text"] if res["text"].strip() else "—")
    if res.get("cut"):
        st.warning(t("interview.mock_cut_done", n=MAX_CHARS))
    if "error" in res:
        st.info(t("interview.no_rubric"))
        return
    st.progress(min(max(res["score"], 0.0), 1.0), text=t("interview.mock_score", pct=round(100 * res["score"])))
    for note in res["notes"]:
        if note in ("terms", "copy", "empty", "contradiction"):
            st.caption(t(f"interview.note_{note}"))
    pts = points_of(res["qid"], lang)
    for pid, hit in res["points"]:
        p = pts.get(pid)
        if p is None:
            continue
        mark = "✓" if hit else ("✗ " + t("interview.contradicted") if pid in res["contradicted"] else "✗")
        st.markdown(f"{mark} {plain_md(p.say)}")
        if not hit:
            point_link(p)
