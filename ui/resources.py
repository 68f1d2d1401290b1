"""Read-only things every session shares, loaded once per server process (st.cache_resource).

One place, so two pages that need the same corpus or model share one copy in memory instead of each caching
its own. Nothing here is ever mutated; models being trained live in st.session_state (ui/training.py).
"""
from __future__ import annotations

import streamlit as st

from engine.corpus import Corpus, load_corpus
from engine.minilm import load_minilm


@st.cache_resource(show_spinner=False, max_entries=16)
def corpus(name: str, max_tokens: int | None = None) -> Corpus:
    return load_corpus(name, max_tokens)


@st.cache_resource(show_spinner=False)
def minilm():
    """(tokenizer, BertModel) of all-MiniLM-L6-v2 with eager attention (attention weights come back)."""
    return load_minilm()
