"""The mock interview graded offline, under AppTest: a good answer scores high and becomes a card; a partial one
shows its missed points with a link to the demo tab that proves each, then asks the follow-up on one of them and
grades it on that point alone; an answer over 4,000 characters is cut with a notice; HTML, emoji and mixed scripts
are shown back as text, never as markup, and graded without error.

Oracles: the hand-graded answers of tests/engine/interview/graded/ (written and graded by hand before the grader ran;
a 'good' one is graded >= 0.9 by hand), the rubric files (each point's `demo` params and `ask`), the store (the cards
the page wrote, in this test's own SQLite file) and curriculum.draw (which question a seed asks first)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import open_page

from engine.interview import curriculum as cur
from engine.interview import grader
from engine.interview import rubrics as rb
from store import cards, transfer
from ui.i18n import strings

GRADED = Path(__file__).resolve().parents[2] / "engine" / "interview" / "graded"
HOSTILE = "<script>alert('x')</script><b>bold</b> **not bold** [link](javascript:alert(1)) 😀🎉 混合 текст عربى $x$"


@pytest.fixture(autouse=True)
def store_url(sqlite_store):
    return sqlite_store  # tests/conftest.py: a migrated SQLite file of this test


def hand_graded(lang: str, qid: str, kind: str) -> str:
    with (GRADED / f"{lang}_glove.toml").open("rb") as f:
        return next(a["text"] for a in tomllib.load(f)["answer"] if a["qid"] == qid and a["kind"] == kind)


def seed_asking(qid: str, n: int = 5) -> int:
    """The first mock seed whose interview opens with `qid`."""
    ids = [e.id for e in cur.entries()]
    return next(s for s in range(100_000) if cur.draw(ids, n, s)[0] == qid)


def start(lang: str, qid: str):
    at = open_page(
        "views/interview/page.py", lang, timeout=120, interview_tab="mock", interview_mock_seed=str(seed_asking(qid))
    )
    at.button(key="interview_mock_go").click().run()
    assert any(cur.by_id()[qid].title(lang) in s.value for s in at.subheader)
    return at


def answer(at, text: str, key: str = "interview_mock_text", button: str = "interview_mock_grade"):
    at.text_area(key=key).set_value(text).run()
    at.button(key=button).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def learner_id(at) -> int:
    return at.session_state["coach_learner"]["id"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_good_answer_scores_high_and_is_a_card(store_url, lang):
    at = answer(start(lang, "glove-01"), hand_graded(lang, "glove-01", "good"))
    res = at.session_state["interview_mock"]["result"]
    assert res["score"] >= 0.8 and all(hit for _, hit in res["points"]), res
    assert any(
        strings(lang)["interview.mock_score"].format(pct=round(100 * res["score"])) in p.proto.text
        for p in at.get("progress")
    )
    (card,) = cards.topic_stats(learner_id(at), url=store_url).values()
    assert card.cards == 1 + len(res["points"]) and card.wrong == 0  # the question and each of its points
    assert len(at.get("page_link")) == 1  # only the model answer's demo link: no point was missed


def test_a_missed_point_links_its_demo_and_is_asked_next(store_url):
    at = answer(start("en", "glove-01"), hand_graded("en", "glove-01", "partial"))
    res = at.session_state["interview_mock"]["result"]
    pts = {p.id: p for p in rb.points("glove-01", "en")}
    missed = [pid for pid, hit in res["points"] if not hit]
    assert missed and res["score"] < 0.5
    links = [p.proto.query_string for p in at.get("page_link") if p.proto.page == "glove"]
    for pid in missed:  # every missed point's demo tab is linked (the rubric's own params)
        assert any(all(f"{k}={v}" in q for k, v in pts[pid].params) for q in links), (pid, links)
    follow = grader.follow_up("glove-01", grader.grade_answer("glove-01", res["text"], "en"), "en")
    assert res["follow"] == follow.id and any(follow.ask in m.value for m in at.markdown)
    # the follow-up, answered with the point's own statement, is graded on that point alone and is a card of its own
    answer(at, pts[follow.id].say, "interview_mock_text_follow", "interview_mock_grade_follow")
    done = at.session_state["interview_mock"]["follow"]
    assert done["points"] == [(follow.id, True)] and done["score"] == 1.0
    me = learner_id(at)
    got = {
        c["ref"]: (c["kind"], c["topic"], c["last_correct"]) for c in transfer.export_progress(me, store_url)["cards"]
    }
    hits = dict(res["points"]) | {follow.id: True}  # each point's card: as graded, the follow-up's as answered since
    assert got == {"glove-01": ("mock", "glove", False)} | {
        f"glove-01:{p}": ("mock", "glove", h) for p, h in hits.items()
    }
    at.button(key="interview_mock_next").click().run()  # on to the next drawn question
    assert at.session_state["interview_mock"]["i"] == 1 and not at.exception


def test_an_answer_over_the_cap_is_cut_with_a_notice(store_url):
    at = start("zh", "glove-01")
    long = "共现矩阵 " * 800 + "x"  # 4,001 characters
    assert len(long) == 4001
    at.text_area(key="interview_mock_text").set_value(long).run()
    assert any("4,001" in w.value and "4,000" in w.value for w in at.warning), [w.value for w in at.warning]
    at.button(key="interview_mock_grade").click().run()
    res = at.session_state["interview_mock"]["result"]
    assert len(res["text"]) == 4000 and res["cut"] and not at.exception
    assert any(strings("zh")["interview.mock_cut_done"].format(n=4000) in w.value for w in at.warning)


def test_html_emoji_and_mixed_scripts_are_shown_as_text_and_graded(store_url):
    at = answer(start("en", "glove-01"), HOSTILE)
    assert any(el.value == HOSTILE for el in at.text), "the answer is shown back exactly as typed, as plain text"
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("<script>" in v or "<b>bold</b>" in v for v in rendered)
    res = at.session_state["interview_mock"]["result"]
    assert 0.0 <= res["score"] <= 0.3
    entries = cards.notebook(learner_id(at), url=store_url)  # stored defused: the store escapes a text with a tag
    assert entries and all("<script>" not in n.detail["text"] and "😀" in n.detail["text"] for n in entries)
