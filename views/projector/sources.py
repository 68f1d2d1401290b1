"""The embeddings this session can project: what it trained on the word2vec and GloVe pages (word2vec, GloVe, the
GloVe page's word2vec, LSA of GloVe's counts) and MiniLM's input embedding table, which is always there."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from engine.embeddings.lsa import lsa_vectors
from engine.embeddings.projector import Embedding, whole_word_ids
from ui import resources
from ui.i18n import t
from ui.training import get_job

CODES = ("w2v", "glove", "glove_w2v", "lsa", "minilm")  # ?projector_emb=<code>
TRAINED = CODES[:-1]
_MEMO = "_projector_tables"  # session_state: {code: (the trained model it was built from, Embedding)}
LSA_MAX_DIM = 100


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    load: Callable[[], Embedding]


def usable_job(key: str):
    """This session's last usable run of training panel `key` (a failed or running newer run keeps the older)."""
    job = get_job(key)
    if job is not None and not job.usable:
        job = job.previous
    return job if job is not None and job.usable else None


def _memo(code: str, model, build: Callable[[], Embedding]) -> Embedding:
    """One table per trained model and session (built from the model's weights once, not on every rerun)."""
    memo = st.session_state.setdefault(_MEMO, {})
    if code not in memo or memo[code][0] is not model:
        memo[code] = (model, build())
    return memo[code][1]


@st.cache_resource(show_spinner=False)
def minilm_table() -> Embedding:
    """MiniLM's input word-piece embeddings, whole words only, most frequent first; shared read-only."""
    tok, model = resources.minilm()
    weight = model.embeddings.word_embeddings.weight.detach().numpy()
    pieces = tok.convert_ids_to_tokens(list(range(weight.shape[0])))
    ids = whole_word_ids(pieces)
    return Embedding([pieces[i] for i in ids], weight[ids])


@st.cache_resource(show_spinner=False, max_entries=4)
def _lsa(digest: str, k: int, _counts) -> Embedding:
    return Embedding(_counts.vocab.itos, lsa_vectors(_counts.X, k))


def _counts_digest(counts) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in (counts.X.data, counts.X.indices, counts.X.indptr):
        h.update(part.tobytes())
    h.update("\n".join(counts.vocab.itos[:50]).encode())
    return h.hexdigest()


def available() -> list[Source]:
    """Every embedding this session can draw: the trained ones first, MiniLM last."""
    out = []
    w2v = usable_job("w2v")
    if w2v is not None:
        m = w2v.model
        out.append(
            Source(
                "w2v",
                t("projector.src_w2v", words=len(m.vocab), dim=m.cfg.dim),
                lambda: _memo("w2v", m, lambda: Embedding(m.vocab.itos, m.vectors)),
            )
        )
    glove = usable_job("glove")
    if glove is not None:
        tr = glove.model
        dim = int(tr.model.w.shape[1])
        out.append(
            Source(
                "glove",
                t("projector.src_glove", words=len(tr.counts.vocab), dim=dim),
                lambda: _memo("glove", tr, lambda: Embedding(tr.counts.vocab.itos, tr.model.vectors("sum"))),
            )
        )
    gw = usable_job("glove_w2v")
    if gw is not None:
        m2 = gw.model.model
        out.append(
            Source(
                "glove_w2v",
                t("projector.src_glove_w2v", words=len(m2.vocab), dim=m2.cfg.dim),
                lambda: _memo("glove_w2v", m2, lambda: Embedding(m2.vocab.itos, m2.vectors)),
            )
        )
    if glove is not None:
        counts = glove.model.counts
        k = max(1, min(dim, LSA_MAX_DIM, len(counts.vocab) - 1))
        out.append(
            Source(
                "lsa",
                t("projector.src_lsa", words=len(counts.vocab), dim=k),
                lambda: _lsa(_counts_digest(counts), k, counts),
            )
        )
    out.append(Source("minilm", t("projector.src_minilm"), minilm_table))
    return out
