"""The coach in a real browser (headless Chromium, `streamlit run` on loopback, its own SQLite file):

(a) progress survives a server restart between two browser sessions: context 1 answers a quiz item (its learner code
    is created then), the server process stops and a new one starts on the same database file, context 2 opens the
    "continue on another device" link context 1 was given and sees that progress on the Review tab; the code leaves
    the address bar;
(b) two contexts with two learner codes each see only their own cards, also after the other one acted.

Oracle: the store read back by the test (store.cards / store.learners on the same file) and the page's own text.
Screenshots of the Review tab in en and zh go to tests/artifacts/ (look at them: no exception box, no grey boxes).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import ROOT, wait_drawn, wait_idle

from bench.classroom import CHROMIUM, Server
from store import cards, learners
from ui.i18n import qa, strings

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT_S = 180
MAIN = '[data-testid="stMain"]'


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    from store import db

    url = f"sqlite:///{tmp_path_factory.mktemp('coach') / 'atlas.db'}"
    db.migrate(url)
    yield url
    db.dispose(url)


def serve(db_url: str, name: str) -> Server:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make test` installs Debian's chromium")
    env = {"NLP_ATLAS_DATABASE_URL": db_url, "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full"}
    return Server(env=env, log=ARTIFACTS / f"coach-{name}.log")


def open_tab(browser, url: str, lang: str = "en", height: int = 1000):
    locale = "zh-CN" if lang == "zh" else "en-US"
    ctx = browser.new_context(viewport={"width": 1400, "height": height}, locale=locale)
    page = ctx.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_drawn(page, timeout_s=TIMEOUT_S)
    return ctx, page


def main_text(page) -> str:
    return page.inner_text(MAIN)


def no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.all_inner_texts()[:2]


def continue_link(page) -> str:
    """The Review tab's "continue on another device" link (an st.code block holding ?learner=)."""
    for text in page.locator(f'{MAIN} [data-testid="stCode"]').all_inner_texts():
        m = re.search(r"\S+learner=[a-z-]+", text)
        if m:
            return m.group(0)
    raise AssertionError("no continue link on the Review tab")


WRONG = 0 if qa("en")["ptm-01"]["quiz"][0]["answer"] else 1  # a wrong choice of ptm-01's first item (file index)


def wrong_in(lang: str) -> str:
    return qa(lang)["ptm-01"]["quiz"][0]["choices"][WRONG]


def test_progress_survives_a_restart_and_follows_the_link(browser, db_url):
    lang = "en"
    item = qa(lang)["ptm-01"]["quiz"][0]  # the quiz tab opens on the first chapter (ptm): ptm-01's first item
    assert item["answer"] != WRONG
    with serve(db_url, "before") as srv:
        ctx, page = open_tab(browser, f"{srv.url}/interview?interview_tab=quiz&lang={lang}")
        try:
            wrong = item["choices"][WRONG]
            radio = page.locator(f'{MAIN} [data-testid="stRadio"]').first
            radio.locator("label", has_text=wrong).first.click()
            wait_idle(page, timeout_s=TIMEOUT_S)
            no_exception(page)
            page.locator('[role="tab"]', has_text=strings(lang)["interview.tabs"][3]).click()
            wait_drawn(page, timeout_s=TIMEOUT_S)
            link = continue_link(page)
            no_exception(page)
        finally:
            ctx.close()
    code = learners.normalise_code(link.split("learner=")[1])
    learner_id = learners.find_learner(code, db_url)
    assert learner_id is not None and cards.counts(learner_id, url=db_url).wrong == 1  # in the file, not in memory

    with serve(db_url, "after") as srv:  # a new server process on the same file
        parts = urlsplit(link)
        moved = urlunsplit(urlsplit(srv.url)[:2] + parts[2:])  # the link's path and query on the new port
        for lang in ("en", "zh"):
            ctx, page = open_tab(browser, moved.replace("interview_tab=", f"lang={lang}&interview_tab="), lang, 2600)
            try:
                assert "learner=" not in page.url, page.url  # the code left the address bar
                page.screenshot(path=str(ARTIFACTS / f"coach-review-{lang}.png"))  # the whole tab fits in 2,600 px
                page.locator(f'{MAIN} [data-testid="stExpander"] summary', has_text="ptm-01#0").first.click()
                wait_idle(page, timeout_s=TIMEOUT_S)
                body = main_text(page)
                said = strings(lang)["coach.nb_chose"].format(said=wrong_in(lang))
                assert said in body, body[:3000]  # the notebook holds context 1's answer, in this language
                assert learners.format_code(code).split()[0] in body
                if lang == "en":  # the progress file, built when clicked (in another thread): the store's export
                    button = page.locator(f"{MAIN} [data-testid='stDownloadButton'] button", has_text="JSON")
                    with page.expect_download(timeout=TIMEOUT_S * 1000) as download:
                        button.first.click()
                    doc = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
                    assert doc["schema"] == "nlp-atlas-progress" and [c["ref"] for c in doc["cards"]] == ["ptm-01#0"]
                no_exception(page)
            finally:
                ctx.close()


def test_two_learners_in_two_contexts_see_only_their_own(browser, db_url):
    a, b = learners.create_learner(db_url), learners.create_learner(db_url)
    cards.review(a.id, "quiz", "w2v-01#0", "w2v", False, {"chosen": 0}, url=db_url)
    cards.review(b.id, "quiz", "glove-01#0", "glove", False, {"chosen": 0}, url=db_url)
    with serve(db_url, "two") as srv:
        opened = [
            open_tab(browser, f"{srv.url}/interview?interview_tab=review&lang=en&learner={x.code}") for x in (a, b)
        ]
        try:
            (_, pa), (_, pb) = opened
            for page, mine, theirs in ((pa, "w2v-01#0", "glove-01#0"), (pb, "glove-01#0", "w2v-01#0")):
                body = main_text(page)
                assert mine in body and theirs not in body
            pa.keyboard.press("r")  # A reruns after B came: still only A's
            wait_idle(pa, timeout_s=TIMEOUT_S)
            assert "w2v-01#0" in main_text(pa) and "glove-01#0" not in main_text(pa)
            assert learners.format_code(b.code) not in main_text(pa) and learners.format_code(a.code) not in main_text(
                pb
            )
            no_exception(pa), no_exception(pb)
        finally:
            for ctx, _ in opened:
                ctx.close()


PAYLOAD = (
    "<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script><svg onload=window.__pwned=1></svg>"
    " **bold?** [x](javascript:window.__pwned=1) $\\href{javascript:window.__pwned=1}{y}$ 😀 混合 текст"
)


def test_a_hostile_mock_answer_is_shown_as_text_and_runs_nothing(browser, db_url):
    """Oracle: window.__pwned, which every piece of the payload would set if it ran, stays undefined, and the page
    shows the answer back character for character (st.text); the Review tab's notebook shows it the same way."""
    with serve(db_url, "mock") as srv:
        ctx, page = open_tab(browser, f"{srv.url}/interview?interview_tab=mock&interview_mock_seed=26&lang=en")
        try:
            page.locator(f"{MAIN} button", has_text=strings("en")["interview.mock_start"]).click()
            wait_idle(page, timeout_s=TIMEOUT_S)
            page.locator(f"{MAIN} textarea").first.fill(PAYLOAD)
            page.keyboard.press("Control+Enter")
            wait_idle(page, timeout_s=TIMEOUT_S)
            page.locator(f"{MAIN} button", has_text=strings("en")["interview.mock_grade"]).first.click()
            score = strings("en")["interview.mock_score"].split("{")[0]  # "Score: " (the timer reruns each second)
            page.locator(f'{MAIN} [data-testid="stProgress"]', has_text=score).wait_for(timeout=TIMEOUT_S * 1000)
            wait_drawn(page, timeout_s=TIMEOUT_S, idle=False)
            shown = page.locator(f'{MAIN} [data-testid="stText"]').all_inner_texts()
            assert PAYLOAD in shown, shown
            page.mouse.move(700, 400)
            page.wait_for_timeout(500)
            assert page.evaluate("typeof window.__pwned") == "undefined"
            no_exception(page)
            page.locator('[role="tab"]', has_text=strings("en")["interview.tabs"][3]).click()
            wait_drawn(page, timeout_s=TIMEOUT_S)
            page.locator(f'{MAIN} [data-testid="stExpander"] summary', has_text="glove-01").first.click()
            wait_idle(page, timeout_s=TIMEOUT_S)
            page.screenshot(path=str(ARTIFACTS / "coach-hostile-notebook.png"))
            assert PAYLOAD in page.locator(f'{MAIN} [data-testid="stText"]').all_inner_texts(), main_text(page)[-3000:]
            assert page.evaluate("typeof window.__pwned") == "undefined"
            no_exception(page)
        finally:
            ctx.close()
