"""The sidebar's "link to this view": the page's URL with every bound widget AND the language spelled out.

Streamlit drops a bound widget from the URL while it has its default value, and the language's default is the
visitor's browser locale, so the address bar of a zh teacher on a zh browser has no ?lang=zh: students on English
browsers would open that link in English. This link always names the language (and the page's other settings).

The box is filled in the browser from the address bar (and kept in step with it twice a second): a widget inside
an st.fragment changes the URL without rerunning app.py, so a link built on the server would go stale. The server
builds the same link as the box's first value, for the moment before the script runs (and for AppTest)."""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import current_lang, t


def view_link(page_url: str | None, params: dict[str, str], lang: str) -> str | None:
    """page_url: st.context.url (scheme, host, port and the current page's path, without the query)."""
    if not page_url:
        return None  # no browser (AppTest, bare script)
    return f"{page_url}?{urlencode({**{k: v for k, v in params.items() if k != 'lang'}, 'lang': lang})}"


_BOX = """<input id="atlas-share" readonly value="{value}" onclick="this.select()" aria-label="{label}"
 style="width:100%;box-sizing:border-box;font:0.75rem monospace;padding:6px;border:1px solid #d5d8de;
 border-radius:6px;background:#f7f8fa;color:#262730">
<script>
(function () {{
  const lang = {lang};
  function update() {{
    const box = document.getElementById("atlas-share");
    if (!box) return;
    const url = new URL(window.location.href);
    url.searchParams.delete("lang");
    url.searchParams.append("lang", lang);
    if (box.value !== url.href) box.value = url.href;
  }}
  if (window.atlasShareTimer) clearInterval(window.atlasShareTimer);
  window.atlasShareTimer = setInterval(update, 500);
  update();
}})();
</script>"""


def share_link() -> None:
    lang = current_lang()
    link = view_link(st.context.url, st.query_params.to_dict(), lang) or ""
    with st.sidebar:
        st.caption(t("common.share_link"))
        st.html(
            _BOX.format(
                value=html.escape(link, quote=True), label=html.escape(t("common.share_link")), lang=json.dumps(lang)
            ),
            unsafe_allow_javascript=True,
        )
