"""Shared test fixtures: the page list is read from app.py's NAV, so new pages are covered automatically."""

from __future__ import annotations

import ast
import itertools
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# two training slots in tests (the app's default is one): a run one test leaves behind must not hold up the next
os.environ.setdefault("NLP_ATLAS_TRAIN_SLOTS", "2")


def nav_pages() -> list[tuple[str, str]]:
    """(file, url_path) for every page app.py lists whose file exists, in navigation order."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "NAV" for t in node.targets):
            nav = ast.literal_eval(node.value)
            return [
                (file, url) for items in nav.values() for file, _name, _icon, url in items if (ROOT / file).exists()
            ]
    raise AssertionError("app.py has no NAV table")


def open_page(page: str, lang: str = "en", timeout: float = 180, reveal: bool = False, **params):
    """An AppTest session that entered through app.py (language switch, navigation) and switched to `page`.
    `reveal=True`: every "Predict, then see" prompt of the session is answered as its "Just show me" answers it
    (ui.predict.REVEAL_ALL), so what the prompts hide is drawn, whatever the inputs: for audits of every chart."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if reveal:
        from ui.predict import REVEAL_ALL

        at.session_state[REVEAL_ALL] = True
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page(page).run()


def show_answers(at) -> int:
    """Press "Just show me" on every open "Predict, then see" prompt of the page, as a learner would (each press
    reruns); returns how many were pressed. A prompt whose inputs change asks again: press again after."""
    pressed = 0
    while True:
        shows = [b for b in at.button if b.key and b.key.startswith("predict:") and b.key.endswith(":show")]
        if not shows:
            return pressed
        shows[0].click().run()
        pressed += 1
        assert pressed <= 20, "a prompt stays open after Just show me"


def each_tab(at):
    """Visit every tab of a page whose tabs render lazily (ui.tabs.url_tabs: only the open tab runs): yields the
    label of each tab after switching to it and rerunning; a page with ordinary tabs yields None once."""
    registry = at.session_state["_url_tabs"] if "_url_tabs" in at.session_state else {}
    if not registry:
        yield None
        return
    for key, labels in list(registry.items()):
        for label in labels:
            if at.session_state[key] != label:
                at.session_state[key] = label
                at.run()
            yield label


def open_lab(name: str, lang: str = "en", timeout: float = 120, **params):
    """The BERT page on the toy corpus with lab `name` open, entered the way a teacher's link opens it:
    /bert?bert_tab=labs&bert_lab=<name>; `params` go to the URL too."""
    return open_page(
        "views/bert/page.py", lang, timeout, **{"bert_corpus": "toy_en", "bert_tab": "labs", "bert_lab": name, **params}
    )


TEXT_ELEMENTS = (  # AppTest element lists whose value / label a reader sees
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "text",
    "error",
    "warning",
    "info",
    "success",
    "toast",
    "button",
    "tabs",
    "expander",
)
RAW_KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")  # what an i18n key looks like ("word2vec.title")


def visible_texts(at) -> list[str]:
    """Every text a reader of the AppTest page sees (values and labels of TEXT_ELEMENTS)."""
    out = []
    for kind in TEXT_ELEMENTS:
        for el in getattr(at, kind, []):
            for attr in ("value", "label"):
                v = getattr(el, attr, None)
                if isinstance(v, str):
                    out.append(v)
    return out


def raw_i18n_keys(at) -> list[str]:
    """Texts on the page that are an i18n key instead of its text (a missing key shows as itself)."""
    from ui.i18n import strings

    known = set(strings("en"))
    return [s for s in visible_texts(at) if s.strip() in known or RAW_KEY.match(s.strip())]


def wait_for_job(job, timeout: float = 120):
    """Wait like a connected browser: keep the job's heartbeat fresh (the panel stops jobs nobody polls)."""
    import time

    end = time.time() + timeout
    while not job.finished and time.time() < end:
        job.last_poll = time.time()
        time.sleep(0.2)
    return job.wait(5)


def stop_after(job, steps: int, timeout: float = 120, poll: float = 0.2, until=None):
    """Let a live run make `steps` progress reports (heartbeat like a connected browser), and `until(job)` be true
    if given (e.g. its first evaluation arrived), then Stop it and wait: a short, partly trained model for a test.
    Returns the job."""
    import time

    end = time.time() + timeout
    while (len(job.history) < steps or (until is not None and not until(job))) and not job.finished:
        if time.time() >= end:
            break
        job.last_poll = time.time()
        time.sleep(poll)
    job.stop.set()
    return job.wait(30)


def chart_specs(at) -> dict:
    """The plotly figures an AppTest run drew, as the JSON the browser gets: {chart key: spec} (keyed charts)."""
    import json

    return {el.key: json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.key}


def plotly_array(z):
    """A plotly JSON data array as a float numpy array: a list, or plotly's typed-array form
    {"dtype", "bdata" (base64), "shape"}."""
    import base64

    import numpy as np

    if isinstance(z, dict):
        flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
        return flat.reshape([int(n) for n in str(z.get("shape", flat.size)).split(",")]).astype(float)
    return np.asarray(z, dtype=float)


def stop_jobs(at) -> None:
    """End every training an AppTest session started (its `job:<key>` entries) and wait for their threads: a run
    a test leaves behind holds a training slot, and pytest aborts on a live thread at exit."""
    for key, job in list(at.session_state.items()):
        if str(key).startswith("job:"):
            job.stop.set()
            job.wait(30)


IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'


def wait_idle(page, timeout_s: float = 180.0, settle_s: float = 1.0) -> None:
    """Browser: connected and no script running, continuously for `settle_s` (pages may rerun once on load)."""
    import time

    deadline = time.time() + timeout_s
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_s * 1000)
    idle_since = None
    while time.time() < deadline:
        if page.query_selector(IDLE) is not None:
            idle_since = idle_since or time.time()
            if time.time() - idle_since >= settle_s:
                return
        else:
            idle_since = None
        time.sleep(0.1)
    raise AssertionError("the app did not become idle")


SKELETON = '[data-testid="stSkeleton"]'  # the grey placeholder of an element whose browser code is still loading


def wait_drawn(page, timeout_s: float = 120.0, settle_s: float = 1.0, idle: bool = True) -> None:
    """Browser: idle (wait_idle) and every element drawn: no `stSkeleton` placeholder left, continuously for
    `settle_s`, so a screenshot shows the page and not grey boxes. Fails if one stays for `timeout_s`.
    `idle=False` while a training polls (the script reruns every second): only the placeholders count."""
    import time

    if idle:
        wait_idle(page, timeout_s=timeout_s, settle_s=settle_s)
    deadline = time.time() + timeout_s
    clear_since = None
    while time.time() < deadline:
        if page.query_selector(SKELETON) is None and (not idle or page.query_selector(IDLE) is not None):
            clear_since = clear_since or time.time()
            if time.time() - clear_since >= settle_s:
                return
        else:
            clear_since = None
        time.sleep(0.1)
    left = page.eval_on_selector_all(SKELETON, "els => els.length")
    raise AssertionError(f"{left} placeholder(s) ({SKELETON}) still on the page after {timeout_s:.0f} s")


from bench.classroom import CHROMIUM, LAUNCH_ARGS  # noqa: E402 - one definition for tests and the load test


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (its own browser download cannot work offline)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def media(monkeypatch):
    """Keep AppTest's in-memory media store reachable after a run (it holds the download buttons' bytes)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stores: list = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Recording)

    def read(button) -> bytes:
        name = button.proto.url.rsplit("/", 1)[-1]
        for store in reversed(stores):
            try:
                return store.get_file(name).content
            except Exception:  # noqa: BLE001 - another run's store
                continue
        raise AssertionError(f"no media file {button.proto.url!r}")

    return read


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny tensors: one thread is far faster than two on a loaded shared CPU. Use via pytestmark."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ---------------------------------------------------------------- the storage tests' databases (tests/store/)
# Here, not in tests/store/conftest.py: a second conftest.py is imported under the same module name "conftest", and
# the many `from conftest import ...` of the page tests would then find the store's fixtures instead of these helpers.
# `pg_cluster`: one throwaway PostgreSQL cluster per test session (store.pgcluster: initdb in a temporary folder, a
# free port on 127.0.0.1, stopped and removed at the end). Without the server binaries it skips on a developer's
# machine and FAILS in CI (CI=true): `make test` installs Debian's postgresql, so missing binaries there are a bug.
# `backend`: a fresh, empty database URL per test (a SQLite file in tmp_path, or a new database in the cluster);
# `store_url`: the same, migrated to head (page tests that need one store override it with their own fixture);
# `shared_store`: one migrated database per module and backend.
BACKENDS = ["sqlite", "postgresql"]
_store_numbers = itertools.count()


def _store_db():
    from store import db

    return db


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_cluster():
    from store.pgcluster import PgCluster, find_bindir

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
        return f"sqlite:///{folder}/atlas-{next(_store_numbers)}.db"
    return request.getfixturevalue("pg_cluster").create_database(f"t{os.getpid()}_{next(_store_numbers)}")


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    url = new_url(request, request.param, tmp_path)
    yield url
    _store_db().dispose(url)


@pytest.fixture
def store_url(backend):
    _store_db().migrate(backend)
    return backend


@pytest.fixture(scope="module", params=BACKENDS)
def shared_store(request, tmp_path_factory):
    url = new_url(request, request.param, tmp_path_factory.mktemp("store"))
    _store_db().migrate(url)
    yield url
    _store_db().dispose(url)


@pytest.fixture
def sqlite_store(tmp_path, monkeypatch):
    """Pages under test keep their learners' cards in a migrated SQLite file of this test (NLP_ATLAS_DATABASE_URL),
    never in var/atlas.db; the URL."""
    db = _store_db()
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    monkeypatch.setenv(db.ENV, url)
    db.migrate(url)
    yield url
    db.dispose(url)
