"""Helpers shared by several tabs of the pretrained-models page."""

import streamlit as st

from engine.core.corpus import guess_lang, tokenize
from ui.i18n import t


def words(text: str, limit: int) -> list[str]:
    """The first `limit` words of `text` (in its own language); a warning when there are none."""
    toks = tokenize(text, guess_lang(text))[:limit]
    if not toks:
        st.warning(t("pretrained_models.err_no_words"))
    return toks
