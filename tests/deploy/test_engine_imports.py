"""A fresh server hit by several students at once: their first page runs import transformers concurrently.

transformers' lazy top-level import is not thread-safe ("cannot import name 'BertConfig' from 'transformers'");
app.py imports the engines once under st.cache_resource's per-key lock before any page runs. The race is timing
dependent: the classroom benchmark hit it with 30 students, and 20 threads importing the engines in a fresh
interpreter hit it every time; this test replays a smaller burst of first visits and must stay clean.
"""

import re
import time
from pathlib import Path

import pytest
from conftest import ROOT, nav_pages


@pytest.mark.browser
def test_cold_server_many_first_visits_at_once():
    from playwright.sync_api import sync_playwright

    from bench.classroom import CHROMIUM, IDLE, LAUNCH_ARGS, Server

    urls = [url for _file, url in nav_pages()[1:]] * 2
    with (
        Server(
            log=ROOT / "tests" / "artifacts" / "cold-start-server.log",
            env={"STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full"},
        ) as srv,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        pages = []
        for url in urls:  # all sessions start before any has finished its first run
            page = browser.new_context().new_page()
            page.goto(f"{srv.url}/{url}?lang=en", wait_until="commit")
            pages.append(page)
        deadline = time.time() + 300
        for page in pages:
            while page.query_selector(IDLE) is None and time.time() < deadline:
                time.sleep(0.2)
        problems = [
            (page.url, e.inner_text()[:300])
            for page in pages
            for e in page.query_selector_all('[data-testid="stException"]')
        ]
        browser.close()
        log = Path(srv.log_path).read_text(errors="replace")
    assert not problems, problems
    assert not re.search(r"cannot import name '\w+' from 'transformers'", log), log[-3000:]
