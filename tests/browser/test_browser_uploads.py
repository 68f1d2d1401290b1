"""Uploads in a real browser (headless Chromium): the pages with an st.file_uploader (word2vec, GloVe) get a valid
UTF-8 text, GBK Chinese, Latin-1 bytes, a binary file (PNG), an empty file, a file over the page's 2 MB cap and
one over the server's 5 MB cap (.streamlit/config.toml server.maxUploadSize).

Oracle: the page's own i18n message for each case (assets/i18n/<lang>/<page>.toml) is visible in the current
language, the browser shows no exception box (stException), and a word2vec model trained in the session before
the bad uploads is still there afterwards. One streamlit server for the module (test_browser's fixture).
"""

from __future__ import annotations

import re
import time

import pytest
from conftest import wait_idle
from test_browser import server  # noqa: F401 - module-scoped fixture: one `streamlit run` for this module

from ui.i18n import strings

pytestmark = pytest.mark.browser

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(range(256)) * 8
CASES = {  # name -> (bytes, message key suffix, or None when the text must be used)
    "utf8": ("The king and the queen rode to the palace. The cat sat on the mat with the dog. " * 30).encode(),
    "gbk": ("国王和王后骑马去了宫殿。猫和狗在垫子上睡觉。" * 30).encode("gbk"),
    "latin1": ("Une élève très gâtée mangeait une crème brûlée à côté du café. " * 30).encode("latin-1"),
    "png": PNG,
    "empty": b"",
    "page_cap": b"word " * 600_000,  # 3 MB: under the server's 5 MB, over the pages' 2 MB
}
EXPECT = {"latin1": "not_text", "png": "not_text", "empty": "empty", "page_cap": "too_large"}


def shown(body: str, lang: str, key: str) -> bool:
    """Is the message `key` on the page? Every literal piece of it (between {placeholders}) must be there."""
    pieces = [p.strip() for p in re.split(r"\{[^}]*\}", str(strings(lang)[key]))]
    return all(p in body for p in pieces if len(p) >= 2)


def _open(browser, url: str, lang: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    return ctx, page


def _upload(page, name: str, data: bytes, mime: str = "text/plain") -> None:
    """Send one file (replacing the previous one) and wait until the page has rerun with it."""
    uploader = page.locator('[data-testid="stFileUploader"]').first
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    uploader.get_by_text(name, exact=True).wait_for(timeout=60_000)
    wait_idle(page, settle_s=0.5)


def _main(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def _body_when(page, ok, timeout_s: float = 30.0) -> str:
    """The page's text once `ok(text)` holds (a rerun may still be drawing), or the last text seen."""
    end = time.time() + timeout_s
    body = _main(page)
    while not ok(body) and time.time() < end:
        time.sleep(0.25)
        body = _main(page)
    return body


def _no_exception(page, what: str) -> None:
    boxes = page.query_selector_all('[data-testid="stException"]')
    assert not boxes, (what, [b.inner_text()[:400] for b in boxes])


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` (a combobox in Streamlit 1.67)."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_word2vec_bad_uploads_keep_the_trained_model(server, browser):  # noqa: F811
    """en: train a small model on the toy corpus, switch to "upload", send every bad file (each: its message, no
    exception box), then a good one; the trained model's results stay on the page throughout."""
    s = strings("en")
    ctx, page = _open(browser, f"{server}/word2vec?lang=en&w2v_epochs=1&w2v_dim=16", "en")
    try:
        page.get_by_role("button", name=s["common.train"], exact=True).first.click()
        page.get_by_text(s["word2vec.results"], exact=True).wait_for(timeout=120_000)
        wait_idle(page)
        _choose(page, s["word2vec.corpus"], "upload")
        for case, code in EXPECT.items():
            _upload(page, f"{case}.txt", CASES[case])
            body = _body_when(page, lambda b: shown(b, "en", f"word2vec.corpus_{code}"))  # noqa: B023
            _no_exception(page, case)
            assert shown(body, "en", f"word2vec.corpus_{code}"), (case, body[:1500])
            assert s["word2vec.results"] in body, f"the trained model vanished after {case}"
        _upload(page, "utf8.txt", CASES["utf8"])
        body = _body_when(page, lambda b: "your text" in b)
        assert "your text" in body and not any(shown(body, "en", f"word2vec.corpus_{c}") for c in EXPECT.values())
        assert s["word2vec.results"] in body
        _no_exception(page, "utf8")
    finally:
        ctx.close()


def test_word2vec_upload_messages_in_chinese(server, browser):  # noqa: F811
    """zh: GBK Chinese is read as Chinese; a Latin-1 file gets the Chinese message; a file over the server's 5 MB
    cap is refused by the uploader itself, and the page stays usable."""
    ctx, page = _open(browser, f"{server}/word2vec?lang=zh&w2v_corpus=upload", "zh")
    try:
        _upload(page, "gbk.txt", CASES["gbk"])
        body = _body_when(page, lambda b: "your text" in b)
        assert shown(body, "zh", "word2vec.corpus_info") and "your text" in body, body[:1500]
        _upload(page, "latin1.txt", CASES["latin1"])
        body = _body_when(page, lambda b: shown(b, "zh", "word2vec.corpus_not_text"))
        assert shown(body, "zh", "word2vec.corpus_not_text"), body[:1500]
        assert re.search(r"[\u4e00-\u9fff]", str(strings("zh")["word2vec.corpus_not_text"]))
        _no_exception(page, "latin1 zh")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            files=[{"name": "huge.txt", "mimeType": "text/plain", "buffer": b"word " * 1_300_000}]
        )  # 6.5 MB
        assert "5.0MB or smaller" in _body_when(
            page, lambda b: "5.0MB or smaller" in b
        )  # Streamlit's own (English-only) uploader message
        _no_exception(page, "server cap")
    finally:
        ctx.close()


def test_glove_uploads(server, browser):  # noqa: F811
    """en: a valid upload is counted (its statistics caption appears); each bad file gets GloVe's message."""
    s = strings("en")
    ctx, page = _open(browser, f"{server}/glove?lang=en", "en")
    try:
        _choose(page, s["glove.corpus"], s["glove.src_upload"])
        _upload(page, "utf8.txt", CASES["utf8"])
        body = _body_when(page, lambda b: "your text" in b)
        assert "your text" in body and s["glove.tab_counts"] in body and shown(body, "en", "glove.stats"), body[:1500]
        _no_exception(page, "utf8")
        for case, code in EXPECT.items():
            _upload(page, f"{case}.txt", CASES[case])
            body = _body_when(page, lambda b: shown(b, "en", f"glove.err_corpus_{code}"))  # noqa: B023
            _no_exception(page, case)
            assert shown(body, "en", f"glove.err_corpus_{code}"), case
    finally:
        ctx.close()
