"""Read-only things every session shares, loaded once per server process (st.cache_resource).

One place, so two pages that need the same corpus or model share one copy in memory instead of each caching
its own. Nothing here is ever mutated; models being trained live in st.session_state (ui/training.py).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

import streamlit as st

from engine.bert.wordpiece import train_wordpiece
from engine.core.corpus import Corpus, load_corpus, load_documents
from engine.pretrained.minilm import load_minilm

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


@st.cache_resource(show_spinner=False)
def smollm():
    """SmolLM2-135M, shared read-only by the perplexity and lens tabs (~20-40 s once per server process)."""
    from engine.pretrained import smollm as sm

    return sm.load()


@st.cache_resource(show_spinner=False, max_entries=8)
def bert_documents(name: str) -> list[list[str]]:
    """The documents (lists of sentences) the BERT page pre-trains on and builds NSP pairs from."""
    return load_documents(name, BERT_DOCS.get(name))


@st.cache_resource(show_spinner=False, max_entries=8)
def bert_wordpiece(name: str):
    """The corpus's WordPiece tokenizer (PreTrainedTokenizerFast), trained on bert_documents(name)."""
    return train_wordpiece([s for d in bert_documents(name) for s in d], BERT_VOCAB)


class SharedLRU:
    """A process-wide cache of read-only values bounded by their total size in bytes, not by their number
    (st.cache_resource counts entries: eight GloVe count tables of a 1M-token corpus are ~0.5 GB, eight of the
    toy corpus a few MB). The newest value is always kept; older ones go, least recently used first. A value is
    computed once even when several sessions ask for it at the same moment, and one at a time (building a big
    count table briefly needs about twice its size: a room of students trying different windows would add those
    peaks up, and the interpreter lock serialises the work anyway). A computation that raises stores nothing."""

    def __init__(self, max_bytes: int, size_of: Callable[[Any], int]):
        self.max_bytes, self.size_of = max_bytes, size_of
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()  # guards _items
        self._computing = threading.Lock()  # one computation at a time

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        with self._computing:
            with self._lock:  # someone else may have computed it while we waited
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key][0]
            value = compute()
            size = self.size_of(value)
            with self._lock:
                self._items[key] = (value, size)
                while len(self._items) > 1 and self.nbytes() > self.max_bytes:
                    self._items.popitem(last=False)
            return value

    def nbytes(self) -> int:
        return sum(size for _, size in self._items.values())

    def __len__(self) -> int:
        return len(self._items)


COUNTS_MB = int(os.environ.get("NLP_ATLAS_COUNTS_MB", "320"))


@st.cache_resource(show_spinner=False)
def count_tables() -> SharedLRU:
    """The GloVe page's co-occurrence tables (engine.embeddings.glove.Counts), shared by every session, NLP_ATLAS_COUNTS_MB in
    total (default 320: four tables of a 1M-token corpus, or many small ones). The largest cache in a busy room: a
    memray census of 30 students found ~0.4 GB of them alive with an eight-entry cache; 160 MB made students wait
    for recounts (p95 1.2 s), 320 MB peaked at 1.47 GB (bench/results/classroom_ws.md)."""
    from engine.embeddings.glove import counts_nbytes

    return SharedLRU(COUNTS_MB * 2**20, counts_nbytes)
