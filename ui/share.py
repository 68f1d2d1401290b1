"""The sidebar's "link to this view": the page's URL with every bound widget AND the language spelled out.

Streamlit drops a bound widget from the URL while it has its default value, and the language's default is the
visitor's browser locale, so the address bar of a zh teacher on a zh browser has no ?lang=zh: students on English
browsers would open that link in English. This link always names the language (and the page's other settings)."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ui.i18n import current_lang, t


def view_link(page_url: str | None, params: dict[str, str], lang: str) -> str | None:
    """page_url: st.context.url (scheme, host, port and the current page's path, without the query)."""
    if not page_url:
        return None  # no browser (AppTest, bare script)
    return f"{page_url}?{urlencode({**{k: v for k, v in params.items() if k != 'lang'}, 'lang': lang})}"


def share_link() -> None:
    link = view_link(st.context.url, st.query_params.to_dict(), current_lang())
    if link:
        with st.sidebar:
            st.caption(t("common.share_link"))
            st.code(link, language=None, wrap_lines=True)
