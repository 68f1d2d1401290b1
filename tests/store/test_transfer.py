"""Export and import of progress: round trips, merging, all-or-nothing, and hostile files that change nothing.

Oracles: export -> import -> export gives the same document (on one backend and across SQLite -> this backend);
a merged card's state equals fsrs.Scheduler run over the merged answers in time order; jsonschema on every export;
for hostile files, a snapshot of both learners (their exports and the row counts of every table) before and after.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from fsrs import Card, Rating, Scheduler
from jsonschema import Draft202012Validator

from store import cards, db, learners, transfer
from store.errors import StoreError

NOW = datetime.now(timezone.utc).replace(microsecond=0)  # import refuses times after tomorrow: stay near the clock
DAY = timedelta(days=1)
SCHEMA = json.loads(transfer.SCHEMA_FILE.read_text(encoding="utf-8"))


def iso(t: datetime) -> str:
    return t.isoformat()


def without_time(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def practise(url, learner_id: int, start: datetime) -> None:
    """A varied history: quiz items, a mock point, a guess; right and wrong; Unicode and '<' in the details."""
    plan = [
        ("quiz", "w2v-01#0", "w2v", [True, False, True], {"chosen": 2, "text": "负采样 < 层次 softmax"}),
        ("quiz", "w2v-01#1", "w2v", [False], {"chosen": 0}),
        ("mock", "tf-03:p2", "transformer", [True, True], {"score": 0.75, "text": "scaled by √d_k", "hits": ["qk"]}),
        ("guess", "glove/fx-10", "glove", [False, True], {"guess": 0.4, "actual": 0.5623413251903491}),
    ]
    for n, (kind, ref, topic, answers, detail) in enumerate(plan):
        for i, correct in enumerate(answers):
            at = start + timedelta(days=i * 2, hours=n, minutes=i, microseconds=7 * i)
            cards.review(learner_id, kind, ref, topic, correct, detail | {"i": i}, at, url=url)


def test_export_round_trip(store_url):
    a, c = learners.create_learner(store_url).id, learners.create_learner(store_url).id
    practise(store_url, a, NOW - 9 * DAY)
    doc = transfer.export_progress(a, store_url)
    assert not list(Draft202012Validator(SCHEMA).iter_errors(doc))
    text = transfer.export_json(a, store_url)
    assert without_time(json.loads(text)) == without_time(doc)
    assert len(doc["cards"]) == 4 and sum(len(card["reviews"]) for card in doc["cards"]) == 8
    # only each card's newest answer keeps its detail (the notebook's); every answer keeps time and rating
    assert [("detail" in r) for r in doc["cards"][0]["reviews"]] == [False, True]  # mock card, two answers

    summary = transfer.import_progress(c, text.encode("utf-8"), store_url)
    assert summary == transfer.ImportSummary(cards_added=4, cards_updated=0, reviews_added=8, reviews_skipped=0)
    assert without_time(transfer.export_progress(c, store_url)) == without_time(doc)
    assert cards.notebook(c, url=store_url)[0].detail == cards.notebook(a, url=store_url)[0].detail

    again = transfer.import_progress(c, text, store_url)  # the same file twice: nothing new
    assert again == transfer.ImportSummary(0, 0, 0, 8)
    assert without_time(transfer.export_progress(c, store_url)) == without_time(doc)


def test_round_trip_from_sqlite_to_this_backend(store_url, tmp_path):
    source = f"sqlite:///{tmp_path}/source.db"
    db.migrate(source)
    a = learners.create_learner(source).id
    practise(source, a, NOW - 5 * DAY)
    doc = transfer.export_progress(a, source)
    b = learners.create_learner(store_url).id
    transfer.import_progress(b, json.dumps(doc), store_url)
    assert without_time(transfer.export_progress(b, store_url)) == without_time(doc)
    db.dispose(source)


def test_merge_replays_the_union_of_answers(store_url):
    a, b = learners.create_learner(store_url).id, learners.create_learner(store_url).id
    t = NOW - 20 * DAY
    answers_a = [(t, True), (t + 6 * DAY, False)]
    answers_b = [(t + 2 * DAY, True), (t + 10 * DAY, True)]
    for at, ok in answers_a:
        cards.review(a, "quiz", "bert-02#0", "bert", ok, None, at, url=store_url)
    for at, ok in answers_b:
        cards.review(b, "quiz", "bert-02#0", "bert", ok, None, at, url=store_url)
    cards.review(b, "guess", "bert/nsp", "bert", False, {"guess": 50}, t, url=store_url)
    summary = transfer.import_progress(a, transfer.export_json(b, store_url), store_url)
    assert summary == transfer.ImportSummary(cards_added=1, cards_updated=1, reviews_added=3, reviews_skipped=0)

    oracle, scheduler = Card(card_id=1), Scheduler(enable_fuzzing=False)
    for at, ok in sorted(answers_a + answers_b):
        oracle, _ = scheduler.review_card(oracle, Rating.Good if ok else Rating.Again, at)
    merged = {c["ref"]: c for c in transfer.export_progress(a, store_url)["cards"]}["bert-02#0"]
    assert (merged["stability"], merged["difficulty"], merged["due"], merged["state"], merged["reps"]) == (
        oracle.stability,
        oracle.difficulty,
        iso(oracle.due),
        oracle.state.value,
        4,
    )
    assert merged["last_correct"] is True  # the newest of the four answers (B's) was right
    assert [r["at"] for r in merged["reviews"]] == sorted(iso(at) for at, _ in answers_a + answers_b)


def snapshot(url, *ids) -> tuple:
    with db.get_engine(url).connect() as conn:
        rows = tuple(
            conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("learners", "cards", "reviews")
        )
    return rows, tuple(without_time(transfer.export_progress(i, url)) for i in ids)


def test_an_import_that_fails_while_writing_changes_nothing(store_url, monkeypatch):
    a, b = learners.create_learner(store_url).id, learners.create_learner(store_url).id
    practise(store_url, a, NOW - 9 * DAY)
    cards.review(b, "quiz", "w2v-01#0", "w2v", True, None, NOW - 30 * DAY, url=store_url)
    text = transfer.export_json(a, store_url)
    before = snapshot(store_url, a, b)
    calls = []
    real_replay = cards.replay

    def failing_replay(log):
        calls.append(1)
        if len(calls) == 3:  # two cards are already written in this transaction
            raise RuntimeError("the disk is full")
        return real_replay(log)

    monkeypatch.setattr(cards, "replay", failing_replay)
    with pytest.raises(RuntimeError):
        transfer.import_progress(b, text, store_url)
    assert snapshot(store_url, a, b) == before
    monkeypatch.setattr(cards, "replay", real_replay)
    monkeypatch.setattr(transfer, "MAX_CARDS", 3)  # B has 1 card and the file brings 3 new ones (w2v-01#0 is shared)
    with pytest.raises(StoreError) as err:
        transfer.import_progress(b, text, store_url)
    assert err.value.code == "too_many" and snapshot(store_url, a, b) == before
    with pytest.raises(StoreError) as err:
        transfer.import_progress(10**6, text, store_url)
    assert err.value.code == "learner" and snapshot(store_url, a, b) == before


# ---- hostile files ----------------------------------------------------------------------------------------------


def base() -> dict:
    return {
        "schema": "nlp-atlas-progress",
        "version": 1,
        "exported_at": iso(NOW),
        "cards": [
            {
                "kind": "quiz",
                "ref": "misc-01#0",
                "topic": "misc",
                "reviews": [
                    {"at": iso(NOW - 3 * DAY), "rating": 3, "correct": True},
                    {"at": iso(NOW - DAY), "rating": 1, "correct": False, "detail": {"chosen": 2, "text": "ok"}},
                ],
            }
        ],
    }


def edit(fn):
    def build():
        doc = base()
        fn(doc)
        return json.dumps(doc)

    return build


def card_(doc):
    return doc["cards"][0]


def review_(doc):
    return doc["cards"][0]["reviews"][-1]


def minimal_card(i: int) -> dict:
    return {
        "kind": "quiz",
        "ref": f"c{i}",
        "topic": "t",
        "reviews": [{"at": iso(NOW - DAY), "rating": 3, "correct": True}],
    }


def many_reviews(n: int) -> list[dict]:
    return [{"at": iso(NOW - DAY - timedelta(seconds=i)), "rating": 3, "correct": True} for i in range(n)]


HEAD = '{"schema":"nlp-atlas-progress","version":1,"cards":'
HOSTILE = {
    # size and encoding
    "over the size cap": (lambda: b" " * (transfer.MAX_BYTES + 1), "too_big"),
    "over the size cap as text": (lambda: "x" * (transfer.MAX_BYTES + 1), "too_big"),
    "over the cap in UTF-8 only": (lambda: "中" * (transfer.MAX_BYTES // 2), "too_big"),
    "10^6 items": (lambda: HEAD + "[" + ",".join(["{}"] * 10**6) + "]}", "too_big"),
    "UTF-16": (lambda: json.dumps(base()).encode("utf-16"), "encoding"),
    "binary": (lambda: bytes(range(256)) * 4, "encoding"),
    # not JSON
    "empty": (lambda: b"", "not_json"),
    "plain text": (lambda: "my progress", "not_json"),
    "CSV": (lambda: "kind,ref,topic\nquiz,w2v-01#0,w2v\n", "not_json"),
    "cut in half": (lambda: json.dumps(base())[:150], "not_json"),
    "nested 100,000 deep": (lambda: "[" * 100_000 + "]" * 100_000, "not_json"),
    "not bytes or text": (lambda: 12345, "not_json"),
    # numbers
    "NaN": (lambda: HEAD + "[],\"x\":NaN}", "number"),
    "Infinity": (lambda: json.dumps(base())[:-1] + ',"x":-Infinity}', "number"),
    "1e999": (lambda: json.dumps(base()).replace('"rating": 3', '"rating": 1e999'), "number"),
    "a 40-digit integer": (lambda: json.dumps(base()).replace('"rating": 3', '"rating": ' + "9" * 40), "number"),
    "a 15-digit reps": (edit(lambda d: card_(d).update(reps=10**14)), "invalid"),
    "stability 1e300": (edit(lambda d: card_(d).update(stability=1e300)), "invalid"),
    "detail number 1e13": (edit(lambda d: review_(d)["detail"].update(chosen=1e13)), "invalid"),
    # not ours
    "a JSON array": (lambda: "[]", "foreign"),
    "another app's file": (lambda: json.dumps({"deck": "anki", "cards": []}), "foreign"),
    "no schema field": (edit(lambda d: d.pop("schema")), "foreign"),
    "a newer version": (edit(lambda d: d.update(version=2)), "version"),
    "version as text": (edit(lambda d: d.update(version="1")), "invalid"),
    "version 0": (edit(lambda d: d.update(version=0)), "invalid"),
    # identity: a file never says whose it is
    "a foreign learner id": (edit(lambda d: d.update(learner_id=1)), "invalid"),
    "a learner code": (edit(lambda d: d.update(learner="abandon-ability-able-about-zoo-zone-wrist-youth")), "invalid"),
    "a card's learner id": (edit(lambda d: card_(d).update(learner_id=2)), "invalid"),
    # schema and rules
    "no cards": (edit(lambda d: d.pop("cards")), "invalid"),
    "a card without answers": (edit(lambda d: card_(d).update(reviews=[])), "invalid"),
    "unknown kind": (edit(lambda d: card_(d).update(kind="flashcard")), "invalid"),
    "rating 5": (edit(lambda d: review_(d).update(rating=5)), "invalid"),
    "rating true": (edit(lambda d: review_(d).update(rating=True)), "invalid"),
    "correct as 1": (edit(lambda d: review_(d).update(correct=1)), "invalid"),
    "a time in the future": (edit(lambda d: review_(d).update(at=iso(NOW + 30 * DAY))), "invalid"),
    "a time in 1999": (edit(lambda d: review_(d).update(at="1999-01-01T00:00:00+00:00")), "invalid"),
    "a time without zone": (edit(lambda d: review_(d).update(at="2026-01-01T00:00:00")), "invalid"),
    "month 13": (edit(lambda d: review_(d).update(at="2026-13-01T00:00:00Z")), "invalid"),
    "a ref with a newline": (edit(lambda d: card_(d).update(ref="misc-01\n")), "invalid"),
    "a ref with a tag": (edit(lambda d: card_(d).update(ref="<script>alert(1)</script>")), "invalid"),
    "a topic with a tag": (edit(lambda d: card_(d).update(topic="<b>")), "invalid"),
    "the same card twice": (edit(lambda d: d["cards"].append(card_(d))), "invalid"),
    "a duplicate key": (lambda: json.dumps(base())[:-1] + ',"version":1}', "invalid"),
    "a control character": (edit(lambda d: review_(d)["detail"].update(text="a\u0000b")), "invalid"),
    "a lone surrogate": (lambda: json.dumps(base()).replace('"ok"', '"\\ud800"'), "invalid"),
    "a nested detail": (edit(lambda d: review_(d)["detail"].update(more={"a": 1})), "invalid"),
    "a detail key with spaces": (edit(lambda d: review_(d)["detail"].update({"Bad key": 1})), "invalid"),
    "a 2,001-character text": (edit(lambda d: review_(d)["detail"].update(text="x" * 2001)), "invalid"),
    # markup
    "a script in a text": (edit(lambda d: review_(d)["detail"].update(text="<script>alert(1)</script>")), "markup"),
    "an img onerror in a list": (
        edit(lambda d: review_(d)["detail"].update(hits=["<img src=x onerror=alert(1)>"])),
        "markup",
    ),  # fmt: skip
    "an HTML comment": (edit(lambda d: review_(d)["detail"].update(text="<!-- x -->")), "markup"),
    # counts
    "5,001 cards": (edit(lambda d: d.update(cards=[minimal_card(i) for i in range(5001)])), "too_many"),
    "1,001 answers on a card": (edit(lambda d: card_(d).update(reviews=many_reviews(1001))), "too_many"),
    "20,001 answers in all": (
        edit(
            lambda d: d.update(
                cards=[minimal_card(i) | {"reviews": many_reviews(1000)} for i in range(20)] + [minimal_card(99)]
            )
        ),
        "too_many",
    ),  # fmt: skip
    "17 detail entries": (edit(lambda d: review_(d).update(detail={f"k{i}": i for i in range(17)})), "too_many"),
    "a 21-item list": (edit(lambda d: review_(d)["detail"].update(hits=list(range(21)))), "too_many"),
}


@pytest.fixture(scope="module")
def seeded(shared_store):
    a, b = learners.create_learner(shared_store).id, learners.create_learner(shared_store).id
    practise(shared_store, a, NOW - 9 * DAY)
    cards.review(b, "quiz", "misc-01#0", "misc", False, {"text": "B's"}, NOW - 2 * DAY, url=shared_store)
    return shared_store, a, b


def test_the_base_file_is_accepted(seeded):
    url, _a, _b = seeded
    fresh = learners.create_learner(url).id
    assert transfer.import_progress(fresh, json.dumps(base()), url) == transfer.ImportSummary(1, 0, 2, 0)
    learners.delete_learner(fresh, url)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_changes_nothing(seeded, name):
    url, a, b = seeded
    build, code = HOSTILE[name]
    raw = build()
    before = snapshot(url, a, b)
    with pytest.raises(StoreError) as err:
        transfer.import_progress(a, raw, url)
    assert err.value.code == code, str(err.value)
    assert snapshot(url, a, b) == before
