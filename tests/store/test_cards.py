"""FSRS cards: the stored schedule against fsrs.Scheduler itself, the Review tab's numbers, isolation of learners,
bad input.

Oracles: fsrs.Scheduler (without fuzzing) run directly on fsrs.Card for the same ratings at the same times — every
field of every step must be equal, floats included; Scheduler.get_card_retrievability on those oracle cards for
mastery; hand-counted scenarios for due, notebook, counts and streak.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler

from store import cards, db, learners, transfer
from store.errors import StoreError
from store.models import Card as CardRow

T0 = datetime(2026, 10, 5, 7, 0, tzinfo=timezone.utc)
ORACLE = Scheduler(enable_fuzzing=False)
# (rating, time since the previous answer): learning steps, graduating, a lapse, relearning, long gaps
SEQUENCE = [
    (Rating.Again, timedelta(0)),
    (Rating.Good, timedelta(minutes=1, seconds=7)),
    (Rating.Good, timedelta(minutes=10, microseconds=123456)),
    (Rating.Good, timedelta(days=3, hours=2)),
    (Rating.Hard, timedelta(days=9)),
    (Rating.Again, timedelta(days=21)),
    (Rating.Good, timedelta(minutes=10)),
    (Rating.Easy, timedelta(days=4)),
    (Rating.Good, timedelta(days=60)),
    (Rating.Again, timedelta(hours=5)),  # a same-day lapse: short-term stability
]


def stored(url, card_id) -> CardRow:
    with db.session(url) as s:
        return s.get(CardRow, card_id)


def test_schedule_equals_fsrs_scheduler(store_url):
    assert cards.SCHEDULER.parameters == ORACLE.parameters and cards.SCHEDULER.desired_retention == 0.9
    learner = learners.create_learner(store_url)
    oracle, at = Card(card_id=1), T0
    for rating, gap in SEQUENCE:
        at += gap
        view = cards.review(learner.id, "quiz", "tf-01#2", "transformer", rating != Rating.Again, {"chosen": 1},
                            at, rating=rating, url=store_url)  # fmt: skip
        oracle, _ = ORACLE.review_card(oracle, rating, at)
        row = stored(store_url, view.id)
        got = (row.state, row.step, row.stability, row.difficulty, row.due, row.last_review)
        want = (oracle.state.value, oracle.step, oracle.stability, oracle.difficulty, oracle.due, oracle.last_review)
        assert got == want, (rating, gap)
        assert view.retrievability == ORACLE.get_card_retrievability(oracle, at)
    assert (row.reps, row.lapses) == (len(SEQUENCE), 2)  # Again while in the Review state: twice
    with db.session(store_url) as s:  # the stored log replays to the stored card
        from store.models import Review

        log = [(r.reviewed_at, r.rating) for r in s.query(Review).order_by(Review.id)]
    assert cards.replay(log) == cards.state_of(row)


def test_correct_means_good_and_wrong_means_again(store_url):
    learner = learners.create_learner(store_url)
    for correct, rating in ((True, Rating.Good), (False, Rating.Again)):
        view = cards.review(learner.id, "mock", f"bert-0{int(correct)}", "bert", correct, now=T0, url=store_url)
        oracle, _ = ORACLE.review_card(Card(card_id=1), rating, T0)
        assert (view.stability, view.difficulty, view.due) == (oracle.stability, oracle.difficulty, oracle.due)
        assert view.last_correct is correct


def test_an_answer_from_a_slower_clock_keeps_the_log_in_order(store_url):
    learner = learners.create_learner(store_url)
    cards.review(learner.id, "quiz", "w2v-02#0", "w2v", True, now=T0, url=store_url)
    view = cards.review(learner.id, "quiz", "w2v-02#0", "w2v", False, now=T0 - timedelta(hours=1), url=store_url)
    assert view.last_review == T0 and view.reps == 2


def test_review_tab_numbers(store_url):
    a = learners.create_learner(store_url).id
    now = T0 + timedelta(days=10)
    # w2v-01#0: right then wrong (notebook); w2v-01#1 right twice; tf-02 (mock) wrong; a guess right, 3 days ago
    cards.review(a, "quiz", "w2v-01#0", "w2v", True, None, now - timedelta(days=2), url=store_url)
    cards.review(a, "quiz", "w2v-01#0", "w2v", False, {"chosen": 3, "text": "skip-gram"}, now - timedelta(hours=1),
                 url=store_url)  # fmt: skip
    cards.review(a, "quiz", "w2v-01#1", "w2v", True, None, now - timedelta(days=1), url=store_url)
    cards.review(a, "quiz", "w2v-01#1", "w2v", True, None, now - timedelta(days=1) + timedelta(minutes=2),
                 url=store_url)  # fmt: skip
    cards.review(a, "mock", "tf-02:p1", "transformer", False, {"score": 0.25}, now - timedelta(minutes=30),
                 url=store_url)  # fmt: skip
    cards.review(a, "guess", "glove/fx-10", "glove", True, {"guess": 0.4, "actual": 0.42}, now - timedelta(days=3),
                 url=store_url)  # fmt: skip

    # notebook: the two cards whose newest answer was wrong, newest first, with that answer's detail
    book = cards.notebook(a, now, url=store_url)
    assert [(e.card.ref, e.detail, e.rating) for e in book] == [
        ("tf-02:p1", {"score": 0.25}, 1),
        ("w2v-01#0", {"chosen": 3, "text": "skip-gram"}, 1),
    ]
    assert book[0].reviewed_at == now - timedelta(minutes=30)

    # due: the oracle cards' due dates decide
    oracles = {}
    for ref, answers in {
        "w2v-01#0": [(Rating.Good, now - timedelta(days=2)), (Rating.Again, now - timedelta(hours=1))],
        "w2v-01#1": [(Rating.Good, now - timedelta(days=1)), (Rating.Good, now - timedelta(days=1, minutes=-2))],
        "tf-02:p1": [(Rating.Again, now - timedelta(minutes=30))],
        "glove/fx-10": [(Rating.Good, now - timedelta(days=3))],
    }.items():
        card = Card(card_id=1)
        for rating, at in answers:
            card, _ = ORACLE.review_card(card, rating, at)
        oracles[ref] = card
    due_now = sorted((c.due, r) for r, c in oracles.items() if c.due <= now)
    assert [v.ref for v in cards.due(a, now, url=store_url)] == [r for _, r in due_now]
    end = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    assert {v.ref for v in cards.due(a, now, today=True, url=store_url)} == {
        r for r, c in oracles.items() if c.due < end
    }

    # mastery: mean retrievability per topic, from the oracle cards
    topic = {"w2v-01#0": "w2v", "w2v-01#1": "w2v", "tf-02:p1": "transformer", "glove/fx-10": "glove"}
    expected: dict[str, list[float]] = {}
    for ref, card in oracles.items():
        expected.setdefault(topic[ref], []).append(ORACLE.get_card_retrievability(card, now + timedelta(days=5)))
    got = cards.mastery(a, now + timedelta(days=5), url=store_url)
    assert got == pytest.approx({t: sum(v) / len(v) for t, v in expected.items()}, rel=1e-12)
    assert list(got) == sorted(got)
    stats = cards.topic_stats(a, now, url=store_url)
    assert (stats["w2v"].cards, stats["w2v"].wrong, stats["glove"].wrong) == (2, 1, 0)

    c = cards.counts(a, now, url=store_url)
    assert (c.total, c.wrong, c.due_now) == (4, 2, len(due_now))
    assert c.reviewed_today == 2  # 1 h and 30 min before `now` (10:00 on the day, UTC)
    assert c.due_today == sum(card.due < end for card in oracles.values())


def test_streak(store_url):
    a = learners.create_learner(store_url).id
    day = date(2026, 11, 20)
    at = lambda d, h=12: datetime.combine(d, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=h)
    assert cards.streak(a, day, url=store_url) == 0
    for back in (9, 8, 3, 2, 1):  # a gap of four days after the 9th and 8th days back
        cards.review(a, "quiz", f"misc-0{back}#0", "misc", True, now=at(day - timedelta(days=back)), url=store_url)
    assert cards.streak(a, day, url=store_url) == 3  # yesterday still counts before today's first answer
    assert cards.streak(a, day + timedelta(days=1), url=store_url) == 0
    assert cards.streak(a, day - timedelta(days=8), url=store_url) == 2  # answers after `today` are ignored
    cards.review(a, "quiz", "misc-00#0", "misc", False, now=at(day), url=store_url)
    assert cards.streak(a, day, url=store_url) == 4
    # 23:30 UTC is already tomorrow in Beijing: the day boundary follows `tz`
    b = learners.create_learner(store_url).id
    cards.review(b, "quiz", "x#0", "misc", True, now=at(day, 23.5), url=store_url)
    bj = timezone(timedelta(hours=8))
    assert cards.streak(b, day + timedelta(days=1), bj, url=store_url) == 1  # answered "today" in Beijing
    assert cards.streak(b, day + timedelta(days=2), bj, url=store_url) == 1  # ... and that was yesterday
    assert cards.streak(b, day + timedelta(days=3), bj, url=store_url) == 0
    assert cards.streak(b, day + timedelta(days=2), url=store_url) == 0  # in UTC the answer was two days back


def test_one_learner_never_sees_another(store_url):
    a, b = learners.create_learner(store_url), learners.create_learner(store_url)
    now = T0 + timedelta(days=1)
    cards.review(a.id, "quiz", "bert-01#0", "bert", False, {"text": "A's answer"}, T0, url=store_url)
    cards.review(b.id, "quiz", "bert-01#0", "bert", True, {"text": "B's answer"}, T0, url=store_url)
    cards.review(b.id, "guess", "bert/mask", "bert", False, {"guess": 12}, T0, url=store_url)
    assert [v.ref for v in cards.due(a.id, now, url=store_url)] == ["bert-01#0"]
    assert [e.detail for e in cards.notebook(a.id, now, url=store_url)] == [{"text": "A's answer"}]
    assert [e.detail for e in cards.notebook(b.id, now, url=store_url)] == [{"guess": 12}]
    assert cards.counts(a.id, now, url=store_url).total == 1 and cards.counts(b.id, now, url=store_url).total == 2
    exported = transfer.export_json(a.id, store_url)
    assert "B's answer" not in exported and "bert/mask" not in exported
    # same ref, separate cards: A's wrong answer did not touch B's schedule
    mine, theirs = ({v.ref: v for v in cards.due(w.id, now, url=store_url)}["bert-01#0"] for w in (a, b))
    assert (mine.id, mine.last_correct, mine.step) != (theirs.id, theirs.last_correct, theirs.step)
    assert (mine.stability, theirs.stability) == (0.212, 2.3065)  # FSRS's initial stability for Again and Good


@pytest.mark.parametrize(
    "change, code",
    [
        ({"kind": "flashcard"}, "kind"),
        ({"ref": "<script>"}, "ref"),
        ({"ref": ""}, "ref"),
        ({"ref": "w2v\n"}, "ref"),
        ({"ref": "x" * 201}, "ref"),
        ({"topic": "a b"}, "topic"),
        ({"correct": 1}, "correct"),
        ({"rating": 7}, "rating"),
        ({"rating": True}, "rating"),
        ({"detail": {"score": float("nan")}}, "detail"),
        ({"detail": {"score": float("inf")}}, "detail"),
        ({"detail": {"n": 10**13}}, "detail"),
        ({"detail": {"Bad Key": 1}}, "detail"),
        ({"detail": {"nested": {"a": 1}}}, "detail"),
        ({"detail": {f"k{i}": i for i in range(17)}}, "detail"),
        ({"detail": {"items": list(range(21))}}, "detail"),
        ({"detail": "text"}, "detail"),
        ({"now": datetime(2026, 1, 1)}, "time"),
        ({"learner_id": 10**6}, "learner"),
        ({"learner_id": "1"}, "learner"),
    ],
)
def test_bad_input_writes_nothing(shared_store, change, code):
    learner = learners.create_learner(shared_store).id
    args = {"learner_id": learner, "kind": "quiz", "ref": "w2v-01#0", "topic": "w2v", "correct": True} | change
    with pytest.raises(StoreError) as err:
        cards.review(**args, url=shared_store)
    assert err.value.code == code
    assert cards.counts(learner, url=shared_store).total == 0


def test_detail_text_is_capped_and_markup_defused(store_url):
    a = learners.create_learner(store_url).id
    detail = {
        "text": "x" * 5000,
        "html": "<script>alert(1)</script>",
        "math": "a < b and c > d",
        "ctl": "bell\x07 and\nnewline\ud800",
        "list": ["<b>bold</b>", 1, 2.5, None, True, "y" * 500],
    }
    cards.review(a, "mock", "misc-03", "misc", False, detail, T0, url=store_url)
    got = cards.notebook(a, T0, url=store_url)[0].detail
    assert got["text"] == "x" * cards.MAX_TEXT
    assert got["html"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert got["math"] == "a < b and c > d"  # no tag: kept as typed
    assert got["ctl"] == "bell and\nnewline"
    assert got["list"] == ["&lt;b&gt;bold&lt;/b&gt;", 1, 2.5, None, True, "y" * cards.MAX_ITEM_TEXT]
