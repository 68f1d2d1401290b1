"""Two students, two browser contexts, one server: neither ever sees the other's session state.

Oracle: the page itself — what one context set (the language, a trained model) must show in that context and
must not show in the other, after the other has rerun its script. Streamlit keeps both sessions in one process,
so this catches any state that leaked into a module global or a cache (st.cache_resource shared by everyone).
The training check uses the first page of app.py's navigation that has a Train button, so it starts running as
soon as such a page lands; until then it is skipped.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import ROOT, nav_pages
from conftest import wait_idle as conftest_wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.classroom import CHROMIUM, LABELS, RERUN_DONE_JS, STATE_LOG_JS, Server

pytestmark = pytest.mark.browser
TIMEOUT_S = 120  # generous: the suite may share 2 cores with a lot else
TRAIN = '[data-testid="stMain"] button[kind="primary"]:visible'  # pages may hide panels in other tabs
ENDED = [LABELS[lang][f"status_{s}"] for lang in LABELS for s in ("done", "stopped", "capped", "error")]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    with Server(log=ROOT / "tests" / "artifacts" / "isolation-server.log") as srv:
        yield srv.url


@pytest.fixture
def two_students(browser):
    contexts = [browser.new_context(locale="en-US") for _ in range(2)]
    pages = []
    for ctx in contexts:
        ctx.add_init_script(STATE_LOG_JS)
        pages.append(ctx.new_page())
    yield pages
    for ctx in contexts:
        ctx.close()


def wait_idle(page, settle_s: float = 0.5) -> None:
    conftest_wait_idle(page, timeout_s=TIMEOUT_S, settle_s=settle_s)


def rerun(page, action=None) -> None:
    """Do `action` (default: press R, Streamlit's rerun shortcut) and wait until the rerun it caused has ended."""
    before = page.evaluate("window.__atlas.act = null, performance.now()")
    (action or (lambda: page.keyboard.press("r")))()
    act = page.evaluate("window.__atlas.act") or before
    page.wait_for_function(RERUN_DONE_JS, arg=act, polling=50, timeout=TIMEOUT_S * 1000)
    wait_idle(page, settle_s=0.3)


def title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def progress_label(page) -> str:
    return " ".join(page.locator('[data-testid="stMain"] [data-testid="stProgress"]:visible').all_inner_texts()).strip()


def no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.all_inner_texts()[:2]


def test_language_choice_stays_in_its_own_session(server, two_students):
    a, b = two_students
    for page in (a, b):
        page.goto(f"{server}/?lang=en", wait_until="domcontentloaded")
        wait_idle(page)
    english = title(a)
    assert title(b) == english

    rerun(a, lambda: a.locator('[data-testid="stSidebar"] .st-key-lang [role="radio"]', has_text="zh").click())
    chinese = title(a)
    assert chinese != english and re.search(r"[\u4e00-\u9fff]", chinese)

    rerun(b)  # B's script runs again after A's change: it must still be in English
    assert title(b) == english and "lang=zh" not in b.url
    rerun(a)  # and A's choice survives its own rerun
    assert title(a) == chinese
    no_exception(a), no_exception(b)


def open_training_panel(page) -> bool:
    """Make the page's first Train button visible, opening its tabs one by one; False if it has none."""
    button = page.locator(TRAIN, has_text=LABELS["en"]["train"])
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(-1, tabs.count()):
        if i >= 0:
            tabs.nth(i).click()
            wait_idle(page, settle_s=0.3)
        if button.count():
            return True
    return False


def first_training_page(server, page) -> str | None:
    for file, url_path in nav_pages()[1:]:  # [0] is the home page  # noqa: B007
        page.goto(f"{server}/{url_path}?lang=en", wait_until="domcontentloaded")
        wait_idle(page)
        if open_training_panel(page):
            return url_path
    return None


def test_a_model_trained_in_one_session_is_invisible_to_another(server, two_students):
    a, b = two_students
    url_path = first_training_page(server, a)
    if url_path is None:
        pytest.skip("no page with a Train button yet")
    train = a.locator(TRAIN, has_text=LABELS["en"]["train"]).first
    rerun(a, train.click)
    # Stop as soon as it runs (or let it finish): the session then holds a partly trained model.
    deadline = time.time() + TIMEOUT_S
    while not any(progress_label(a).startswith(e) for e in ENDED):
        assert time.time() < deadline, f"training never ended: {progress_label(a)!r}"
        if progress_label(a).startswith(LABELS["en"]["status_running"]):
            stop = a.locator('[data-testid="stMain"] button:visible', has_text=LABELS["en"]["stop"]).first
            if stop.is_enabled():
                try:
                    stop.click(timeout=2000)
                except PlaywrightTimeout:
                    pass  # the run ended between the check and the click: Stop is disabled again
        time.sleep(0.3)
    wait_idle(a)
    trained_label = progress_label(a)
    assert trained_label

    b.goto(f"{server}/{url_path}?lang=en", wait_until="domcontentloaded")
    wait_idle(b)
    assert open_training_panel(b)  # the same panel, in B
    rerun(b)
    main_b = b.locator('[data-testid="stMain"]').inner_text()
    assert progress_label(b) == "", "B sees a training run it never started"
    assert LABELS["en"]["not_trained"].replace("**", "").split(":")[0] in main_b

    rerun(a)  # A still has its model after B came and went
    assert progress_label(a) == trained_label
    no_exception(a), no_exception(b)


def test_a_deep_link_on_a_fresh_server_does_not_depend_on_earlier_sessions(browser):
    """What a student sees at /<page>?lang=zh must not depend on whether someone opened the home page before.

    Oracle: the same page opened after the home page (the language switch is there and the text is Chinese).
    Regression: with the page files in a folder named pages/, Streamlit 1.67 ran a first deep link as a v1 page,
    bypassing app.py; they live in views/ for that reason.
    """
    pages = nav_pages()
    if len(pages) < 2:
        pytest.skip("only the home page exists")
    url_path = pages[1][1]
    with Server(log=ROOT / "tests" / "artifacts" / "isolation-fresh-server.log") as srv:
        ctx = browser.new_context(locale="en-US")
        try:
            page = ctx.new_page()
            page.goto(f"{srv.url}/{url_path}?lang=zh", wait_until="domcontentloaded")
            wait_idle(page)
            assert page.locator('[data-testid="stSidebar"] .st-key-lang').count() == 1, "no language switch"
            assert re.search(r"[\u4e00-\u9fff]", title(page)), f"not in Chinese: {title(page)!r}"
        finally:
            ctx.close()
