"""Every page listed in app.py runs under AppTest in English and Chinese without an exception or a raw i18n key."""

import re

import pytest
from conftest import ROOT, nav_pages
from streamlit.testing.v1 import AppTest

from ui.i18n import strings

RAW_KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
KNOWN_KEYS = set(strings("en"))


def visible_texts(at: AppTest) -> list[str]:
    out = []
    for kind in (
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
        "button",
        "tabs",
        "expander",
    ):
        for el in getattr(at, kind, []):
            for attr in ("value", "label"):
                v = getattr(el, attr, None)
                if isinstance(v, str):
                    out.append(v)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", [f for f, _ in nav_pages()])
def test_page_renders_without_exception(page, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    raw = [s for s in visible_texts(at) if s.strip() in KNOWN_KEYS or RAW_KEY.match(s.strip())]
    assert not raw, f"raw i18n keys on {page} ({lang}): {raw}"
    assert at.session_state["lang"] == lang
