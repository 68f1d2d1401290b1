"""AppTest helpers shared by the BERT labs' tests (tests/test_lab_*.py of labs C)."""
from __future__ import annotations

from conftest import ROOT


def open_lab(name: str, lang: str, **params):
    """The BERT page on the toy corpus with the Labs tab open and lab `name` picked; `params` go to the URL.

    Under AppTest a second run() of a zh session fails inside AppTest itself: the page's lab selectbox has a
    format_func that calls t(), which outside the script run falls back to English, so AppTest cannot find the
    zh option label. zh checks therefore use fresh sessions with the input in the URL."""
    from streamlit.testing.v1 import AppTest

    from ui.i18n import strings
    from views import labs

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.query_params["bert_corpus"] = "toy_en"
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("views/bert.py")
    at.session_state["bert_tab"] = strings(lang)["bert.tabs"][8]  # the tab key holds the label shown
    at.session_state["bert_lab"] = labs.available().index(name)
    return at.run()


def text(key, lang):
    from ui.i18n import strings
    return strings(lang)[key]
