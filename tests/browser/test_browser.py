"""Real browser: every page of app.py's navigation in headless Chromium, in English and Chinese.

Starts `streamlit run` on a free port, opens each page with ?lang=en / ?lang=zh, waits until the app is connected,
no script is running and every element is drawn (no grey `stSkeleton` placeholder left), then asserts: no exception box, no raw i18n key, no console error. A screenshot per page
and language goes to tests/artifacts/ (git-ignored; README's screenshots come from here).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import CHROMIUM, ROOT, nav_pages, wait_drawn, wait_idle
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ui.i18n import strings

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
# Chromium itself (not the app) may log these on an offline machine.
BENIGN_CONSOLE = re.compile(
    r"favicon|ERR_INTERNET_DISCONNECTED|ERR_NAME_NOT_RESOLVED|net::ERR_|Failed to load resource"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    port = _free_port()
    # full error details so an exception box is visible to the test (config.toml hides them from students)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not become healthy within 60 s")
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def page_url(base: str, url_path: str, lang: str, default: bool) -> str:
    return f"{base}/{'' if default else url_path}?lang={lang}"


PAGES = nav_pages()
KEYS = set(strings("en"))


def page_name(file: str) -> str:
    """views/word2vec/page.py -> "word2vec": the screenshot's stem (README shows docs/screenshots/<name>-<lang>.png)."""
    path = Path(file)
    return path.parent.name if path.stem == "page" else path.stem


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("file,url_path", PAGES, ids=[page_name(f) for f, _ in PAGES])
def test_page_in_browser(server, browser, file, url_path, lang):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and not BENIGN_CONSOLE.search(m.text) and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(page_url(server, url_path, lang, default=file == PAGES[0][0]), wait_until="domcontentloaded")
        wait_drawn(page)
        page.screenshot(path=str(ARTIFACTS / f"{page_name(file)}-{lang}.png"), full_page=True)
        exceptions = page.query_selector_all('[data-testid="stException"]')
        assert not exceptions, [e.inner_text()[:500] for e in exceptions]
        body = page.inner_text('[data-testid="stMain"]')
        raw = sorted(k for k in KEYS if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", body))
        assert not raw, f"raw i18n keys visible: {raw}"
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", body), "no Chinese text on the zh page"
        assert not errors, errors
    finally:
        ctx.close()


def test_language_survives_page_switch(server, browser):
    """?lang=zh is bound to the sidebar switch, so it is kept when the user navigates."""
    if len(PAGES) < 2:
        pytest.skip("only one page")
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        page.goto(f"{server}/?lang=zh")
        wait_idle(page)
        page.locator('[data-testid="stSidebarNav"] a').nth(1).click()
        wait_idle(page)
        assert "lang=zh" in page.url
    finally:
        ctx.close()


def test_language_defaults_to_browser_locale(server, browser):
    """No ?lang= in the URL: a zh-CN browser gets Chinese, an en-US browser English."""
    for locale, marker in (("zh-CN", "图谱"), ("en-US", "Every classic NLP interview question")):
        ctx = browser.new_context(locale=locale)
        page = ctx.new_page()
        try:
            page.goto(f"{server}/")
            wait_idle(page)
            assert marker in page.inner_text('[data-testid="stMain"]'), locale
        finally:
            ctx.close()


def test_share_link_names_the_language(server, browser):
    """A zh browser on its default language has no ?lang= in the address bar; the sidebar's link spells it out,
    with the page path and the page's bound settings, so students on English browsers open the same view."""
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    try:
        page.goto(f"{server}/{PAGES[1][1]}?w2v_k=7")
        wait_idle(page)
        assert "lang=" not in page.url
        link = page.locator("#atlas-share").input_value()
        assert link.startswith(f"{server}/{PAGES[1][1]}?"), link
        assert "lang=zh" in link and "w2v_k=7" in link, link
        # a widget inside an st.fragment changes the URL without rerunning app.py: the box follows the address bar
        page.evaluate("history.replaceState(null, '', location.pathname + '?w2v_k=9')")
        page.wait_for_function("document.getElementById('atlas-share').value.includes('w2v_k=9')", timeout=5000)
        assert "lang=zh" in page.locator("#atlas-share").input_value()
    finally:
        ctx.close()


def test_every_bert_lab_opens_from_its_link(server, browser):
    """/bert?bert_tab=labs&bert_lab=<name> (the interview page's demo links) opens that lab; languages alternate.
    Screenshots: tests/artifacts/bert-lab-<name>-<lang>.png."""
    from views.bert import labs

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        for i, name in enumerate(labs.available()):
            lang = ("en", "zh")[i % 2]
            page.goto(
                f"{server}/bert?lang={lang}&bert_corpus=toy_en&bert_tab=labs&bert_lab={name}",
                wait_until="domcontentloaded",
            )
            wait_idle(page)
            # the script has finished, but the browser may still be loading a widget's code (a grey placeholder
            # where the lab picker goes): give the picker up to 30 s to show the lab's title (as its selected
            # value, not as inner text), then check
            title = strings(lang)[f"lab_{name}.title"].replace("&", "&amp;")
            try:
                page.wait_for_function("t => document.documentElement.innerHTML.includes(t)", arg=title, timeout=30_000)
            except PlaywrightTimeout:
                pass  # the assertion below says which lab did not open
            wait_drawn(page)
            page.screenshot(path=str(ARTIFACTS / f"bert-lab-{name}-{lang}.png"), full_page=True)
            exceptions = page.query_selector_all('[data-testid="stException"]')
            assert not exceptions, (name, [e.inner_text()[:500] for e in exceptions])
            assert title in page.content(), name
    finally:
        ctx.close()
