"""views/interview/page.py under AppTest: quiz answers are recorded and scored, the tour moves and stays in range, the
mock interview draws the seeded questions, both mini-labs train for real, in en and zh. Only the open tab is drawn
(?interview_tab=<code>): each test opens the tab it uses."""

import pytest
from conftest import open_page, stop_jobs, wait_for_job

from engine.interview import curriculum as cur
from ui.i18n import strings

CODES = ("bank", "quiz", "mock", "review", "tour", "multitask", "noise")


@pytest.fixture(autouse=True)
def store_url(sqlite_store):
    return sqlite_store  # tests/conftest.py: a migrated SQLite file of this test


def _wait(at, job, limit=120):
    wait_for_job(job, limit)
    at.run()


def _open(lang="en", tab=None, **params):
    return open_page("views/interview/page.py", lang, timeout=120, **({"interview_tab": tab} if tab else {}), **params)


def _switch(at, code, lang="en"):
    at.session_state["interview_tab"] = strings(lang)["interview.tabs"][CODES.index(code)]
    return at.run()


def test_quiz_records_score_and_exports():
    at = _open(tab="quiz")
    radio = at.radio(key="interview_quiz_ptm-04_0")
    radio.set_value(1).run()  # the right answer (tril)
    at.radio(key="interview_quiz_ptm-04_1").set_value(0).run()  # a wrong one
    prog = at.session_state["interview_progress"]
    assert prog["ptm-04#0"]["correct"] is True and prog["ptm-04#1"]["correct"] is False
    assert cur.scores(prog)["ptm"] == (1, 2)
    assert at.success and at.error and not at.exception
    md = cur.progress_markdown(prog, "en", "t", "✓", "✗")
    assert "ptm: 1/2" in md.replace("**", "") and "ptm-04" in md
    _switch(at, "bank")
    assert not [r for r in at.radio if r.key.startswith("interview_quiz_")]  # the quiz tab is not drawn
    _switch(at, "quiz")  # back: the answers given before are still picked and scored
    assert at.radio(key="interview_quiz_ptm-04_0").value == 1 and at.radio(key="interview_quiz_ptm-04_1").value == 0
    assert at.session_state["interview_progress"] == prog and at.success and at.error and not at.exception


def test_search_filters_and_missing_answers_say_so():
    at = _open("zh")
    at.text_input(key="interview_search").set_value("困惑度").run()
    titles = [e.label for e in at.expander]
    assert any("misc-04" in x for x in titles) and not at.exception
    at.text_input(key="interview_search").set_value("zzz-nothing").run()
    assert any("找到 0 题" in c.value for c in at.caption) and not at.exception
    assert not any("misc-04" in e.label for e in at.expander)


def test_tour_next_previous_and_bounds():
    at = _open(tab="tour")
    at.button(key="interview_next").click().run()
    at.button(key="interview_next").click().run()
    assert at.number_input(key="interview_step").value == 3
    for _ in range(4):
        at.button(key="interview_prev").click().run()
    assert at.number_input(key="interview_step").value == 1 and not at.exception


def test_mock_interview_uses_the_seeded_draw():
    at = _open(tab="mock")
    at.number_input(key="interview_mock_seed").set_value(7).run()
    at.button(key="interview_mock_go").click().run()
    first = cur.by_id()[cur.draw([e.id for e in cur.entries()], 5, 7)[0]]
    assert any(first.en in s.value for s in at.subheader), [s.value for s in at.subheader]
    at.button(key="interview_mock_skip").click().run()  # skipped: no grade, and the second drawn question is asked
    second = cur.by_id()[cur.draw([e.id for e in cur.entries()], 5, 7)[1]]
    assert at.session_state["interview_mock"]["grades"] == {first.id: None} and not at.exception
    assert any(second.en in s.value for s in at.subheader), [s.value for s in at.subheader]


def test_both_labs_train_and_draw():
    at = _open("zh", tab="multitask")
    try:
        for key in ("interview_mtl", "interview_noise"):
            if key == "interview_noise":
                _switch(at, "noise", "zh")
            at.button(key=f"{key}:train").click().run()
            job = at.session_state[f"job:{key}"]
            _wait(at, job)
            assert job.status == "done" and job.history and not at.exception
        assert at.session_state["job:interview_noise"].usable
    finally:
        stop_jobs(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_link_opens_one_tab_alone(lang):
    """?interview_tab=noise opens the noisy-labels lab first, nothing trained: only its widgets are drawn."""
    at = _open(lang, tab="noise", interview_eps="0.15")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["interview_tab"] == strings(lang)["interview.tabs"][CODES.index("noise")]
    keys = {w.key for w in at.slider}
    assert "interview_eps" in keys and not {"interview_mtl_n", "interview_mock_n"} & keys
    assert at.slider(key="interview_eps").value == 0.15
    assert not at.text_input and not at.number_input  # the bank's search, the tour's and the mock's numbers


def test_demo_links_of_the_labs_open_their_tab():
    """The question bank's links to this page's own labs (misc-08, misc-11) carry ?interview_tab=<code>."""
    at = _open(interview_search="misc-08")
    links = [p.proto.query_string for p in at.get("page_link")]
    assert any("interview_tab=multitask" in q and "interview_mtl_mode=soft" in q for q in links), links


def test_quiz_choices_follow_the_room_seed_or_the_learner(store_url):
    """Oracle: engine.interview.quiz.permutation for the seed in force — a teacher's ?quiz_seed= for every
    session of the room, else the signed-in learner's own seed (ui.learner.learner_seed)."""
    from engine.interview.quiz import permutation
    from store import learners
    from ui.learner import learner_seed

    def shown(at):
        return {r.key: list(r.options) for r in at.radio if r.key and r.key.startswith("interview_quiz_")}

    def expected(at, seed):
        out = {}
        for key in shown(at):
            qid, item = key.removeprefix("interview_quiz_").rsplit("_", 1)
            out[key] = [strings_of(qid, int(item))[c] for c in permutation(qid, int(item), seed)]
        return out

    def strings_of(qid, item):
        from ui.i18n import qa

        return qa("en")[qid]["quiz"][item]["choices"]

    room = [_open(tab="quiz", quiz_seed="42") for _ in range(2)]
    assert shown(room[0]) == shown(room[1]) == expected(room[0], 42) and len(shown(room[0])) >= 5
    me = learners.create_learner(store_url)
    mine = _open(tab="quiz", learner=me.code)
    assert shown(mine) == expected(mine, learner_seed(me.id)) != expected(mine, 42)
    hostile = _open(tab="quiz", quiz_seed="1e400")  # not a number: the learner's order, with a notice
    assert not hostile.exception and hostile.toast
