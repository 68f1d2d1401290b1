"""Engines, sessions and migrations.

- `database_url()`: NLP_ATLAS_DATABASE_URL, else the SQLite file `<repo>/var/atlas.db` (DEFAULT_PATH).
- `get_engine(url=None)`: one engine per URL per process. SQLite: WAL journal, synchronous=NORMAL, foreign keys on,
  a 30 s busy timeout, and write transactions that start with BEGIN IMMEDIATE (they take the write lock first, so two
  writers queue on the busy timeout instead of failing on a lock upgrade). PostgreSQL goes through psycopg 3.
- `session(url=None, write=False)`: an ORM session in one transaction, committed on success, rolled back on error.
- `run_write(fn, url=None)`: fn(session) in a write transaction, retried when SQLite reports a lock or PostgreSQL a
  serialization failure / deadlock.
- `migrate(url=None)`: Alembic's upgrade to head, run programmatically, idempotent, and safe when several processes
  start at once (SQLite: the migration runs inside one BEGIN IMMEDIATE transaction — SQLite's DDL is transactional;
  PostgreSQL: inside one transaction holding an advisory lock).

Every function takes `url` as a URL string, an Engine, or None (= database_url()).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from .errors import StoreError

ENV = "NLP_ATLAS_DATABASE_URL"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "var" / "atlas.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_S = 30
PG_LOCK_ID = 0x41746C6173  # "Atlas": the advisory lock that serialises migrations on PostgreSQL

T = TypeVar("T")
_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_migrated: set[str] = set()


def database_url() -> str:
    """NLP_ATLAS_DATABASE_URL when set (and not blank), else sqlite:///<repo>/var/atlas.db."""
    env = os.environ.get(ENV, "").strip()
    return env or f"sqlite:///{DEFAULT_PATH}"


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// mean psycopg 3 (SQLAlchemy would pick psycopg2, which is not installed);
    sqlite: and postgresql+psycopg: pass; anything else is StoreError("url")."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any unparsable URL is the same error to the caller
        raise StoreError("url", f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError("url", f"unsupported database {backend!r}: use sqlite:///<file> or postgresql://...")
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise StoreError("url", "an in-memory SQLite database is one per connection: give a file path")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str | None = None) -> Engine:
    """A new engine (not cached: tests use it for writers that each hold their own connections)."""
    url = normalise_url(url or database_url())
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
            pool_size=5,
            max_overflow=30,
            pool_timeout=60,
        )
        _sqlite_setup(engine)
    else:
        engine = create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_timeout=60)
    return engine


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below), pysqlite emits nothing
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash of the process loses nothing committed
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("atlas_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def get_engine(url: str | Engine | None = None) -> Engine:
    """The process's engine for `url` (an Engine passes through)."""
    if isinstance(url, Engine):
        return url
    key = normalise_url(url or database_url())
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = make_engine(key)
        return engine


def dispose(url: str | Engine | None = None) -> None:
    """Close the cached engine's connections and forget it (tests drop their databases after this)."""
    if isinstance(url, Engine):
        url.dispose()
        with _engines_lock:
            for key in [k for k, e in _engines.items() if e is url]:
                del _engines[key]
        _migrated.difference_update({k for k in _migrated if k.startswith(_key(url) + "|")})
        return
    key = normalise_url(url or database_url())
    with _engines_lock:
        engine = _engines.pop(key, None)
    _migrated.difference_update({k for k in _migrated if k.startswith(key + "|")})
    if engine is not None:
        engine.dispose()


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _writer(engine: Engine) -> Engine:
    return engine.execution_options(atlas_write=True)


@contextmanager
def session(url: str | Engine | None = None, write: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back when it raises. write=True on SQLite takes the write
    lock at BEGIN (use it for anything that writes; reads in WAL mode never wait for writers)."""
    engine = get_engine(url)
    with Session(bind=_writer(engine) if write else engine, expire_on_commit=False) as s:
        with s.begin():
            yield s


def _retryable(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in ("40001", "40P01"):  # PostgreSQL: serialization failure, deadlock
        return True
    text = str(orig or exc).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "busy" in text)


def run_write(fn: Callable[[Session], T], url: str | Engine | None = None, attempts: int = 5) -> T:
    """fn(session) in a write transaction; a lock timeout or serialization failure retries the whole transaction."""
    for attempt in range(attempts):
        try:
            with session(url, write=True) as s:
                return fn(s)
        except DBAPIError as exc:
            if attempt == attempts - 1 or not _retryable(exc):
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _run_alembic(url: str | Engine | None, action: Callable) -> None:
    """One transaction for the whole upgrade. SQLite follows its own recipe for schema changes (lang_altertable):
    foreign keys off outside the transaction — a batch migration that rebuilds a parent table would otherwise
    cascade-delete its children — then BEGIN IMMEDIATE (a second process waits here), the migration,
    PRAGMA foreign_key_check, COMMIT, foreign keys back on. PostgreSQL: one transaction under an advisory lock."""
    engine = get_engine(url)
    cfg = _alembic_config()
    with _writer(engine).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.dbapi_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")  # no transaction is open yet: the pragma takes effect
        try:
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_ID})")
                cfg.attributes["connection"] = conn
                action(cfg)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise StoreError("migration", "the migration left rows whose foreign keys point nowhere")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def migrate(url: str | Engine | None = None, revision: str = "head") -> None:
    """Upgrade the database to `revision` (default head). Idempotent; the first call per process and URL does the
    work, later ones return at once."""
    from alembic import command
    from alembic.util.exc import CommandError

    engine = get_engine(url)
    key = f"{_key(engine)}|{revision}"
    if key in _migrated:
        return
    try:
        _run_alembic(engine, lambda cfg: command.upgrade(cfg, revision))
    except CommandError as exc:  # e.g. the database is at a revision this code does not know (newer code ran)
        raise StoreError("migration", f"cannot migrate {engine.url!r}: {exc}") from exc
    if revision == "head":
        _migrated.add(key)


def downgrade(url: str | Engine | None, revision: str) -> None:
    """Alembic downgrade to `revision` (tests and operators; the app never downgrades)."""
    from alembic import command

    engine = get_engine(url)
    _migrated.difference_update({k for k in _migrated if k.startswith(_key(engine) + "|")})
    _run_alembic(engine, lambda cfg: command.downgrade(cfg, revision))


def current_revision(url: str | Engine | None = None) -> str | None:
    """The database's Alembic revision (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision in store/migrations/versions."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()
