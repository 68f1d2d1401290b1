"""Real browser: HTML and script that a link puts into a bound text box run nothing (en and zh).

The AppTest suite (tests/views/test_hostile_links.py) checks every bound widget for exception boxes and notices;
only a browser can show that markup from the URL is drawn as text. Oracle: window.__pwned, which every payload
would set, stays undefined (and is set when the same payload is put into the page as HTML: the control); no
alert dialog opens; the box shows the payload as its text.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from conftest import wait_drawn
from test_browser import server  # noqa: F401 - the streamlit server fixture

pytestmark = pytest.mark.browser

PAGE, KEY = "sequence-labeling", "seq_sentence"  # a bound text box above the tabs, echoed on the page
PAYLOAD = (
    "<img src=x onerror=alert(1)><script>alert(1)</script>"
    "<svg onload=window.__pwned=1></svg><img src=x onerror=window.__pwned=1>"
    '"><b onmouseover=window.__pwned=1>x</b>$\\href{javascript:window.__pwned=1}{y}$'
)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_script_in_a_link_runs_nothing(server, browser, lang):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN" if lang == "zh" else "en-US")
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{server}/{PAGE}?lang={lang}&{KEY}={quote(PAYLOAD)}", wait_until="domcontentloaded")
        wait_drawn(page)
        assert not page.query_selector_all('[data-testid="stException"]')
        box = page.locator(f".st-key-{KEY} input, .st-key-{KEY} textarea").first
        assert box.input_value() == PAYLOAD  # taken as text, shown in the box
        main = page.locator('[data-testid="stMain"]')
        main.hover()  # an injected onmouseover would fire now
        page.mouse.move(700, 400)
        page.mouse.move(300, 600)
        page.wait_for_timeout(500)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert not dialogs, dialogs
        # the control: the same payload put into the page as HTML does set the flag, so the oracle can fire
        page.evaluate(
            "p => { const d = document.createElement('div'); d.innerHTML = p; document.body.append(d) }", PAYLOAD
        )
        page.wait_for_function("typeof window.__pwned !== 'undefined'", timeout=10_000)
    finally:
        ctx.close()
