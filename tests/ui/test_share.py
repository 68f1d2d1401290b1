"""ui.share.view_link: the link always names the language and keeps the page's other settings."""

from ui.share import view_link


def test_link_names_the_language_and_keeps_settings():
    link = view_link("http://host:8501/bert", {"bert_tab": "labs", "lang": "en", "q": "a b&c"}, "zh")
    assert link == "http://host:8501/bert?bert_tab=labs&q=a+b%26c&lang=zh"


def test_no_browser_no_link():
    assert view_link(None, {}, "en") is None
