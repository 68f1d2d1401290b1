"""Helpers shared by the GloVe page's tabs: the corpus and its count table, word boxes, and settings that a widget
of another tab set (only the open tab renders)."""

import re

import streamlit as st

from engine.core import corpus as C
from engine.embeddings.glove import Counts, Trained, count_corpus
from ui import resources
from ui.i18n import t
from ui.training import get_job


def load(name: str, size: int) -> C.Corpus:
    return resources.corpus(name, size)  # read-only, shared by every session and page


@st.cache_resource(max_entries=4, show_spinner=False)
def load_upload(data: bytes) -> C.Corpus:
    return C.corpus_from_text(C.decode_upload(data))


def get_counts(key: tuple, corp: C.Corpus, window: int, min_count: int, dw: bool) -> Counts:
    """Shared by every session, within a byte budget (ui.resources.count_tables)."""
    return resources.count_tables().get(
        key, lambda: count_corpus(corp.sentences, window, min_count=min_count, distance_weighting=dw)
    )


def words_of(text: str, default: str, vocab) -> tuple[list[str], list[str]]:
    """Up to 12 words from a text box (the default if it is empty): (known, unknown)."""
    words = [w for w in re.split(r"[\s,，、;；]+", (text or "").strip().lower()) if w][:12] or default.split()
    return [w for w in dict.fromkeys(words) if w in vocab.stoi], [w for w in words if w not in vocab.stoi]


def warn_unknown(unknown: list[str]) -> None:
    if unknown:
        st.warning(t("glove.unknown_words", words=", ".join(unknown[:12])[:300]))


def setting(key: str, default: float, lo: float, hi: float) -> float:
    """A number set by a widget of another tab (only the open tab renders): its last value in this session (kept
    for bound widgets), else the link's ?key=, else the default."""
    value = st.session_state.get(key, st.query_params.get(key, default))
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if lo <= value <= hi else default


def text_setting(key: str) -> str:
    """A text set by a widget of another tab: its last value in this session, else the link's ?key=."""
    return str(st.session_state.get(key, st.query_params.get(key, "")) or "")


def trained_glove(counts: Counts) -> Trained | None:
    """This session's usable GloVe model for these counts, without running the training tab."""
    job = get_job("glove")
    return job.model if job is not None and job.usable and job.model.counts is counts else None
