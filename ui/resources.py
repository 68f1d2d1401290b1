"""Read-only things every session shares, loaded once per server process (st.cache_resource).

One place, so two pages that need the same corpus or model share one copy in memory instead of each caching
its own. Nothing here is ever mutated; models being trained live in st.session_state (ui/training.py).
"""
from __future__ import annotations

import streamlit as st

from engine.corpus import Corpus, load_corpus, load_documents
from engine.minilm import load_minilm
from engine.wordpiece import train_wordpiece

# the BERT page and its labs: how many documents of each large corpus they use, and the WordPiece vocabulary size
# (one copy here, so the page's tiny BERT and the labs' models share one vocabulary, trained once per process)
BERT_DOCS = {"news_en": 1000, "peoples_daily_zh": 1500}
BERT_VOCAB = 2000


@st.cache_resource(show_spinner=False, max_entries=16)
def corpus(name: str, max_tokens: int | None = None) -> Corpus:
    return load_corpus(name, max_tokens)


@st.cache_resource(show_spinner=False)
def minilm():
    """(tokenizer, BertModel) of all-MiniLM-L6-v2 with eager attention (attention weights come back)."""
    return load_minilm()


@st.cache_resource(show_spinner=False, max_entries=8)
def bert_documents(name: str) -> list[list[str]]:
    """The documents (lists of sentences) the BERT page pre-trains on and builds NSP pairs from."""
    return load_documents(name, BERT_DOCS.get(name))


@st.cache_resource(show_spinner=False, max_entries=8)
def bert_wordpiece(name: str):
    """The corpus's WordPiece tokenizer (PreTrainedTokenizerFast), trained on bert_documents(name)."""
    return train_wordpiece([s for d in bert_documents(name) for s in d], BERT_VOCAB)
