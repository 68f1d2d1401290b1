"""A tiny app for tests/ui/test_url_tabs.py: language-dependent tab labels, language-neutral codes in the URL."""

import streamlit as st

from ui.tabs import url_tabs

lang = st.segmented_control("lang", ["en", "zh"], key="lang", bind="query-params", default="en")
labels = {"en": ["One", "Two", "Three"], "zh": ["一", "二", "三"]}[lang or "en"]
for i, tab in enumerate(url_tabs("x_tab", ["one", "two", "three"], labels)):
    if tab.open:
        with tab:
            st.write(f"open {i}")
