"""Hostile input on every page: every text box, number box and slider of every page listed in app.py gets
empty, blank, huge, emoji / mixed-script, control-character, HTML and NaN-like values; the page must answer with
a message, never an exception. Pages are discovered from app.py, widgets from the rendered page.
(Uploads are covered at the engine level in tests/engine/core/test_corpus.py and per page where a page has an uploader.)"""

import math

import pytest
from conftest import each_tab, nav_pages, open_page, stop_jobs
from streamlit.testing.v1 import AppTest

TEXTS = {
    "empty": "",
    "blank": "   \n\t ",
    "huge": "lorem ipsum 自然语言 " * 700,  # ~10k characters
    "emoji": "😀🎉 emoji 混合 текст عربى 🙂",
    "control": "a\x00b\x07c\x1b[31md\u202e",
    "html": "<script>alert('x')</script><b>bold</b>",
    "nan": "NaN",
}


def _open(page: str, lang: str = "en") -> AppTest:
    return open_page(page, lang)


PAGES = [f for f, _ in nav_pages()]


@pytest.mark.parametrize("page", PAGES)
def test_text_inputs_survive_hostile_text(page):
    at = _open(page)
    seen = 0
    try:
        for tab in each_tab(at):  # a page with lazy tabs: every tab in turn
            boxes = list(at.text_input) + list(at.text_area)
            seen += len(boxes)
            for kind, text in TEXTS.items():  # one session: each hostile value in turn, as a user would type them
                for box in list(at.text_input) + list(at.text_area):
                    box.set_value(text)
                at.run()
                assert not at.exception, (tab, kind, [e.value for e in at.exception])
                if not boxes:
                    break
    finally:
        stop_jobs(at)
    if not seen:
        pytest.skip("no text inputs on this page")


@pytest.mark.parametrize("page", PAGES)
def test_number_inputs_and_sliders_at_their_limits(page):
    at = _open(page)
    seen = 0
    try:
        for tab in each_tab(at):
            numbers, sliders = list(at.number_input), list(at.slider)
            seen += len(numbers) + len(sliders)
            for end in ("min", "max") if numbers or sliders else ():
                for w in list(at.number_input):
                    bound = getattr(w, end, None)
                    if bound is not None and not (isinstance(bound, float) and math.isinf(bound)):
                        w.set_value(bound)
                for s in list(at.slider):
                    if isinstance(s.value, (int, float)) and not isinstance(s.value, bool):
                        s.set_value(getattr(s, end))
                at.run()
                assert not at.exception, (tab, end, [e.value for e in at.exception])
    finally:
        stop_jobs(at)
    if not seen:
        pytest.skip("no numeric inputs on this page")
