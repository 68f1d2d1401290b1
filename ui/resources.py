"""Read-only things every session shares, loaded once per server process (st.cache_resource).

One place, so two pages that need the same corpus or model share one copy in memory instead of each caching
its own. Nothing here is ever mutated; models being trained live in st.session_state (ui/training.py).
"""
from __future__ import annotations

import ctypes
import os
import sys

import streamlit as st

from engine.corpus import Corpus, load_corpus, load_documents
from engine.minilm import load_minilm
from engine.wordpiece import train_wordpiece

# the BERT page and its labs: how many documents of each large corpus they use, and the WordPiece vocabulary size
# (one copy here, so the page's tiny BERT and the labs' models share one vocabulary, trained once per process)
BERT_DOCS = {"news_en": 1000, "peoples_daily_zh": 1500}
BERT_VOCAB = 2000
MMAP_THRESHOLD = 16 * 2**20


def give_big_blocks_back() -> bool:
    """Let freed big arrays return to the OS (glibc only; True if set).

    glibc serves a block above its mmap threshold with its own mapping, which free() unmaps. But the threshold is
    dynamic: after such a block is freed it rises to that block's size (up to 32 MB), and from then on count tables,
    corpora and the tensors of finished trainings live in the heap, whose freed space the process keeps. A fixed
    threshold keeps big blocks mapped. 16 MB: a 30-student run peaked at 1.43 GB instead of 1.56 GB (PSS,
    bench/results/classroom_ws_final2.md), and training steps, whose tensors are smaller, run as fast as before (a
    1 MB threshold made GloVe's steps 2.5x slower: every batch tensor was a fresh mapping). MALLOC_MMAP_THRESHOLD_
    in the environment wins."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(-3, MMAP_THRESHOLD))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False


give_big_blocks_back()  # once, when the first page that shares corpora or models is imported


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
