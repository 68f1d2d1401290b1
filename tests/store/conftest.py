"""Fixtures of the storage tests: every test runs on SQLite and on PostgreSQL.

`pg_cluster`: one throwaway PostgreSQL cluster per test session (store.pgcluster: initdb in a temporary folder, a
free port on 127.0.0.1, stopped and removed at the end). Without the server binaries it skips on a developer's
machine and FAILS in CI (CI=true): `make test` installs Debian's postgresql, so missing binaries there are a bug.
`backend`: a fresh, empty database URL per test (a SQLite file in tmp_path, or a new database in the cluster);
`store_url`: the same, migrated to head; `shared_store`: one migrated database per module and backend.
"""

from __future__ import annotations

import itertools
import os

import pytest

from store import db
from store.pgcluster import PgCluster, find_bindir

BACKENDS = ["sqlite", "postgresql"]
_numbers = itertools.count()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_cluster():
    if find_bindir() is None:
        message = "PostgreSQL server binaries not found (make test installs Debian's postgresql)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    cluster = PgCluster.start()
    yield cluster
    cluster.stop()


def new_url(request, kind: str, folder) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder}/atlas-{next(_numbers)}.db"
    return request.getfixturevalue("pg_cluster").create_database(f"t{os.getpid()}_{next(_numbers)}")


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    url = new_url(request, request.param, tmp_path)
    yield url
    db.dispose(url)


@pytest.fixture
def store_url(backend):
    db.migrate(backend)
    return backend


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(request, tmp_path_factory):
    url = new_url(request, request.param, tmp_path_factory.mktemp("store"))
    db.migrate(url)
    yield url
    db.dispose(url)
