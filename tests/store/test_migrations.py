"""Migrations: from an empty database, from revision 0001 with data in it, down and up again, several processes at
once; and the models agree with the migrations.

Oracles: the rows written at revision 0001 by hand (read back after the upgrade, column by column); each card's
newest review, computed in Python, for the backfilled cards.last_correct; Alembic's own autogenerate comparison
(compare_metadata) for "the models are what the migrations build".
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from store import cards, db, learners
from store.errors import StoreError
from store.models import Base, UTCDateTime

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 2, 8, 30, tzinfo=timezone.utc)


def tables(url) -> set[str]:
    return set(sa.inspect(db.get_engine(url)).get_table_names())


def test_migrate_from_empty(backend):
    assert db.current_revision(backend) is None and tables(backend) == set()
    db.migrate(backend)
    assert db.current_revision(backend) == db.head_revision() == "0002"
    assert tables(backend) == {"alembic_version", "learners", "cards", "reviews"}
    db.dispose(backend)  # a new process: the per-process memo is gone, the second upgrade finds nothing to do
    db.migrate(backend)
    assert db.current_revision(backend) == "0002"
    learner = learners.create_learner(backend)
    assert cards.review(learner.id, "quiz", "w2v-01#0", "w2v", True, url=backend).reps == 1


def test_models_match_the_migrations(store_url):
    with db.get_engine(store_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


# revision 0001's tables as they were (the models are at head and have columns 0001 lacks)
_md = sa.MetaData()
V1_LEARNERS = sa.Table(
    "learners",
    _md,
    sa.Column("id", sa.Integer),
    sa.Column("code_hash", sa.String),
    sa.Column("created_at", UTCDateTime),
)
V1_CARDS = sa.Table(
    "cards",
    _md,
    *(sa.Column(n, sa.Integer) for n in ("id", "learner_id", "state", "step", "reps", "lapses")),
    *(sa.Column(n, sa.String) for n in ("kind", "ref", "topic")),
    *(sa.Column(n, sa.Float) for n in ("stability", "difficulty")),
    *(sa.Column(n, UTCDateTime) for n in ("due", "last_review", "created_at")),
)
V1_REVIEWS = sa.Table(
    "reviews",
    _md,
    *(sa.Column(n, sa.Integer) for n in ("id", "card_id", "learner_id", "rating")),
    sa.Column("correct", sa.Boolean),
    sa.Column("reviewed_at", UTCDateTime),
    sa.Column("detail", sa.JSON),
)


def fill_revision_1(url) -> dict:
    """Two learners, three cards, five reviews written at revision 0001; returns what was written."""
    rows = {
        "learners": [
            {"id": 1, "code_hash": "a" * 64, "created_at": T0},
            {"id": 2, "code_hash": "b" * 64, "created_at": T0 + timedelta(hours=1)},
        ],
        "cards": [
            {"id": 10, "learner_id": 1, "kind": "quiz", "ref": "w2v-01#0", "topic": "w2v", "state": 2, "step": None,
             "stability": 3.25, "difficulty": 5.5, "due": T0 + timedelta(days=3), "last_review": T0 + timedelta(hours=2),
             "reps": 2, "lapses": 0, "created_at": T0},
            {"id": 11, "learner_id": 1, "kind": "mock", "ref": "tf-03", "topic": "transformer", "state": 1, "step": 0,
             "stability": 0.212, "difficulty": 6.4133, "due": T0 + timedelta(minutes=1), "last_review": T0,
             "reps": 1, "lapses": 0, "created_at": T0},
            {"id": 12, "learner_id": 2, "kind": "guess", "ref": "glove/fx", "topic": "glove", "state": 1, "step": 1,
             "stability": 2.3, "difficulty": 2.1, "due": T0 + timedelta(minutes=10), "last_review": T0,
             "reps": 1, "lapses": 0, "created_at": T0},
        ],
        "reviews": [
            {"id": 100, "card_id": 10, "learner_id": 1, "rating": 1, "correct": False, "reviewed_at": T0,
             "detail": {"chosen": 2}},
            {"id": 101, "card_id": 10, "learner_id": 1, "rating": 3, "correct": True,
             "reviewed_at": T0 + timedelta(hours=2), "detail": None},
            {"id": 102, "card_id": 11, "learner_id": 1, "rating": 3, "correct": True, "reviewed_at": T0,
             "detail": {"score": 0.5}},
            {"id": 99, "card_id": 11, "learner_id": 1, "rating": 1, "correct": False,  # newest, though a lower id
             "reviewed_at": T0 + timedelta(seconds=5), "detail": {"text": "attention is all"}},
            {"id": 103, "card_id": 12, "learner_id": 2, "rating": 4, "correct": True, "reviewed_at": T0,
             "detail": {"guess": 0.3, "actual": 0.31}},
        ],
    }  # fmt: skip
    with db.get_engine(url).begin() as conn:
        for table in (V1_LEARNERS, V1_CARDS, V1_REVIEWS):
            conn.execute(table.insert(), rows[table.name])
    return rows


def read(url, table: sa.Table, order: str = "id") -> list[dict]:
    with db.get_engine(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(sa.text(order)))]


def assert_revision_1_rows_kept(url, rows):
    for table in (V1_LEARNERS, V1_CARDS, V1_REVIEWS):
        assert read(url, table) == sorted(rows[table.name], key=lambda r: r["id"]), table.name


def newest_correct(rows, card_id):
    mine = [r for r in rows["reviews"] if r["card_id"] == card_id]
    return max(mine, key=lambda r: (r["reviewed_at"], r["id"]))["correct"]


def test_upgrade_from_revision_1_keeps_the_data(backend):
    db.migrate(backend, "0001")
    assert db.current_revision(backend) == "0001"
    assert "last_correct" not in {c["name"] for c in sa.inspect(db.get_engine(backend)).get_columns("cards")}
    rows = fill_revision_1(backend)
    db.migrate(backend)
    assert db.current_revision(backend) == "0002"
    assert_revision_1_rows_kept(backend, rows)
    with db.get_engine(backend).connect() as conn:
        backfilled = dict(conn.execute(sa.text("SELECT id, last_correct FROM cards")).all())
        seen = conn.execute(sa.text("SELECT last_seen_at FROM learners")).scalars().all()
    assert {k: bool(v) for k, v in backfilled.items()} == {c: newest_correct(rows, c) for c in (10, 11, 12)}
    assert backfilled[11] in (False, 0)  # by time, not by id
    assert seen == [None, None]
    # the store works on the upgraded data: card 11's newest answer was wrong, so it is in learner 1's notebook
    assert [e.card.ref for e in cards.notebook(1, T0 + timedelta(days=1), url=backend)] == ["tf-03"]
    assert cards.mastery(2, T0, url=backend) == {"glove": 1.0}


def test_downgrade_and_upgrade_again_keep_the_data(backend):
    db.migrate(backend, "0001")
    rows = fill_revision_1(backend)
    db.migrate(backend)
    db.downgrade(backend, "0001")
    assert db.current_revision(backend) == "0001"
    assert_revision_1_rows_kept(backend, rows)  # batch mode rebuilt learners and cards: no cascade
    db.migrate(backend)
    assert_revision_1_rows_kept(backend, rows)


def test_a_database_from_newer_code_is_a_clear_error(store_url):
    with db.get_engine(store_url).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    db.dispose(store_url)
    with pytest.raises(StoreError) as err:
        db.migrate(store_url)
    assert err.value.code == "migration"


def test_several_processes_migrating_at_once(backend):
    code = "import sys; sys.path.insert(0, sys.argv[2]); from store import db; db.migrate(sys.argv[1])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, backend, str(ROOT)], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert db.current_revision(backend) == "0002"
    with db.get_engine(backend).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_sqlite_settings(tmp_path):
    url = f"sqlite:///{tmp_path}/deep/er/atlas.db"  # the folder is created
    db.migrate(url)
    with db.session(url) as s:
        conn = s.connection()
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("busy_timeout")) == ("wal", 1, 30000)
    db.dispose(url)


def test_database_url(monkeypatch):
    monkeypatch.delenv(db.ENV, raising=False)
    assert db.database_url() == f"sqlite:///{ROOT}/var/atlas.db"
    monkeypatch.setenv(db.ENV, "  ")
    assert db.database_url() == f"sqlite:///{ROOT}/var/atlas.db"
    monkeypatch.setenv(db.ENV, "postgresql://u:p@db.example/atlas")
    assert db.database_url() == "postgresql://u:p@db.example/atlas"
    assert db.normalise_url(db.database_url()) == "postgresql+psycopg://u:p@db.example/atlas"
    assert db.normalise_url("postgres://h/x") == "postgresql+psycopg://h/x"
    for bad in ("mysql://h/x", "sqlite://", "sqlite:///:memory:", "::"):
        with pytest.raises(StoreError) as err:
            db.normalise_url(bad)
        assert err.value.code == "url"
