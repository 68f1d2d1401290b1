"""Tabs whose choice lives in the URL as a language-neutral code, so a teacher's link opens the same tab.

Binding st.tabs to the URL directly would store the tab's *label*, which changes with the language; here the
URL holds a code (`?bert_tab=labs`), the widget state holds the label, and a language switch keeps the tab."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import streamlit as st

TABS_REGISTRY = "_url_tabs"  # session_state: {tabs key: its labels} of the url_tabs drawn in this session


def _to_url(key: str, codes: list[str], labels: list[str]) -> None:
    """on_change: write the code of the label the widget now holds into ?<key>=."""
    label = st.session_state.get(key)
    if label in labels:
        st.query_params[key] = codes[labels.index(label)]


def url_tabs(key: str, codes: Sequence[str], labels: Sequence[str]):
    """st.tabs(labels) with `?<key>=<code>` kept in sync. A tab switch reruns the script (the callback), so pages
    can render only the open tab (`if tab.open:`) and keep reruns cheap."""
    codes, labels = list(codes), list(labels)
    assert len(codes) == len(labels), (codes, labels)
    code = st.query_params.get(key)
    default = labels[codes.index(code)] if code in codes else None
    st.session_state.setdefault(TABS_REGISTRY, {})[key] = labels  # lets tests visit every tab (tests/conftest.py)
    return st.tabs(labels, key=key, default=default, on_change=_to_url, args=(key, codes, labels))


def url_select(label: str, key: str, codes: Sequence[str], labels: Sequence[str]) -> str | None:
    """A selectbox showing `labels` whose choice lives in the URL as `?<key>=<code>`; returns the chosen code.
    (A bound selectbox with a format_func would store the translated label in the URL.)"""
    codes, labels = list(codes), list(labels)
    assert len(codes) == len(labels), (codes, labels)
    if not codes:
        return None
    code = st.query_params.get(key)
    index = codes.index(code) if code in codes else 0
    chosen = st.selectbox(label, labels, index=index, key=key, on_change=_to_url, args=(key, codes, labels))
    return codes[labels.index(chosen)] if chosen in labels else codes[index]


def show_tabs(key: str, tabs: Mapping[str, Callable[[], None]], labels: Sequence[str]) -> str | None:
    """A page's tabs, routed by code: `tabs` maps each tab's code (in URL order) to the function that draws it.
    Only the open tab's function runs, inside its tab; returns the open tab's code. A page's entry draws the
    inputs its tabs share above this call and passes them in (`"ns": lambda: ns.render(corpus)`)."""
    codes = list(tabs)
    opened = None
    for code, tab in zip(codes, url_tabs(key, codes, labels)):
        if tab.open:
            with tab:
                tabs[code]()
            opened = code
    return opened
