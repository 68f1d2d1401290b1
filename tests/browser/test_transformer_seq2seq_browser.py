"""Real browser: the Transformer page's tf-08 section trains in Chromium (en and zh) and draws its results.

Screenshots: tests/artifacts/transformer-length-<lang>-<part>.png (the live chart while training, the results) and
transformer-sites-<lang>.png (the misc-12 count toggle)."""

from __future__ import annotations

import time

import pytest
from conftest import wait_drawn, wait_idle
from test_browser import ARTIFACTS, server  # noqa: F401 - the streamlit server fixture

from ui.i18n import strings

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_length_section_trains_in_the_browser(server, browser, lang):  # noqa: F811
    s = strings(lang)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(
            f"{server}/transformer?lang={lang}&transformer_count_sites=true&transformer_len_max=16"
            f"&transformer_len_steps=250",
            wait_until="domcontentloaded",
        )
        wait_idle(page)
        page.get_by_text(s["transformer.modules_title"]).first.scroll_into_view_if_needed()
        wait_drawn(page)
        page.screenshot(path=str(ARTIFACTS / f"transformer-sites-{lang}.png"))
        assert s["transformer.sites_note"].replace("*", "")[:20] in page.inner_text('[data-testid="stMain"]')
        page.get_by_role("tab", name=s["transformer.tabs"][3]).click()
        wait_idle(page)
        page.get_by_text(s["transformer.len_title"]).scroll_into_view_if_needed()
        page.get_by_role("button", name=s["common.train"]).nth(1).click()  # the first one trains the digit model
        page.wait_for_selector(f"text={s['transformer.len_live_title'].split('{')[0].strip()}", timeout=60_000)
        page.get_by_text(s["transformer.len_title"]).scroll_into_view_if_needed()
        wait_drawn(page, idle=False)  # it trains: the panel reruns every second
        page.screenshot(path=str(ARTIFACTS / f"transformer-length-{lang}-live.png"))
        end = time.time() + 120
        while time.time() < end and s["transformer.len_noise_title"] not in page.inner_text('[data-testid="stMain"]'):
            page.wait_for_timeout(500)
        wait_idle(page)
        body = page.inner_text('[data-testid="stMain"]')
        if s["transformer.len_noise_title"] not in body:
            page.screenshot(path=str(ARTIFACTS / f"transformer-length-{lang}-failed.png"), full_page=True)
        assert s["transformer.len_noise_title"] in body
        exceptions = page.query_selector_all('[data-testid="stException"]')
        assert not exceptions, [e.inner_text()[:500] for e in exceptions]
        page.get_by_text(s["transformer.len_noise_title"]).scroll_into_view_if_needed()
        wait_drawn(page)
        page.screenshot(path=str(ARTIFACTS / f"transformer-length-{lang}-results.png"))
        page.mouse.wheel(0, 700)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / f"transformer-length-{lang}-align.png"))
        assert not errors, errors
    finally:
        ctx.close()
