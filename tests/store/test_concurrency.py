"""30 writers at once lose nothing: 30 threads, each with an engine (and so a connection) of its own, start on a
barrier and answer quiz items — half of them on one card all 30 share, half on a card of their own.

Oracle: counting. Every answer is one review row; the shared card's reps equal all the answers given to it and
its stored state equals the replay of its stored log (a lost update would leave a state behind its log); nothing
raises — in particular no "database is locked" escapes on SQLite.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from store import cards, db, learners
from store.models import Card, Review

WRITERS = 30
EACH = 6  # answers per writer: 3 on the shared card, 3 on its own
T0 = datetime(2026, 9, 1, 12, tzinfo=timezone.utc)


def test_concurrent_writers_lose_nothing(store_url):
    learner = learners.create_learner(store_url).id
    other = learners.create_learner(store_url).id
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        engine = db.make_engine(store_url)  # a connection of its own, as in another process
        try:
            barrier.wait(timeout=60)
            for i in range(EACH):
                ref = "shared#0" if i % 2 == 0 else f"own-{n}#0"
                who = other if n == 0 and i == EACH - 1 else learner  # one answer goes to another learner
                at = T0 + timedelta(seconds=n, microseconds=i)
                cards.review(who, "quiz", ref, "w2v", (n + i) % 3 != 0, {"writer": n, "i": i}, at, url=engine)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert not any(t.is_alive() for t in threads)

    with db.session(store_url) as s:
        total = s.scalar(sa.select(sa.func.count()).select_from(Review))
        per_learner = dict(s.execute(sa.select(Review.learner_id, sa.func.count()).group_by(Review.learner_id)).all())
        shared = s.scalars(sa.select(Card).where(Card.learner_id == learner, Card.ref == "shared#0")).one()
        log = [
            (r.reviewed_at, r.rating)
            for r in s.scalars(sa.select(Review).where(Review.card_id == shared.id).order_by(Review.id))
        ]
        own = s.scalars(sa.select(Card.reps).where(Card.learner_id == learner, Card.ref != "shared#0")).all()
    assert total == WRITERS * EACH
    assert per_learner == {learner: WRITERS * EACH - 1, other: 1}
    assert shared.reps == len(log) == WRITERS * EACH // 2
    assert sorted(own) == [2] + [EACH // 2] * (WRITERS - 1)  # writer 0 gave its last answer to `other`
    assert cards.state_of(shared) == cards.replay(log)
    assert [at for at, _ in log] == sorted(at for at, _ in log)  # written in time order (at = max(now, last))
