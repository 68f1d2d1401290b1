"""Every page listed in app.py runs under AppTest in English and Chinese without an exception or a raw i18n key."""

import pytest
from conftest import ROOT, nav_pages, raw_i18n_keys
from streamlit.testing.v1 import AppTest


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", [f for f, _ in nav_pages()])
def test_page_renders_without_exception(page, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    raw = raw_i18n_keys(at)
    assert not raw, f"raw i18n keys on {page} ({lang}): {raw}"
    assert at.session_state["lang"] == lang
