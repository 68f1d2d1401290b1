"""One-hot vs distributed (dense) word representations, and what each costs in memory (ptm-02).

    one_hot(ids, V)                       (n, V): row i has a single 1 at ids[i]
    static_vectors(tok, table, words)     (n, d): rows of a pretrained input-embedding table (mean over a word's pieces)
    cosine_matrix(X)                      (n, n) cosine similarities; one-hot gives the identity (the "semantic gap")
    one_hot_bytes / index_bytes / embedding_bytes
                                          |V|·|V|, |V| and |V|·d numbers, times the bytes per number

An embedding lookup *is* one-hot times the table: one_hot(ids, V) @ E == E[ids]. The table is |V| × d with d ≪ |V|,
and no single column means anything on its own: a word's meaning is the whole row (a distributed representation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

# the |V| choices of the page (log-like steps); 30522 is the WordPiece vocabulary of BERT and MiniLM
VOCAB_SIZES = (8, 16, 32, 64, 128, 256, 512, 1_000, 2_000, 5_000, 10_000, 30_522, 50_000, 100_000)
MAX_VOCAB = 10_000_000  # the memory formulas accept more, but a page never needs it


def _check_vocab(vocab_size: int) -> int:
    v = int(vocab_size)
    if not 1 <= v <= MAX_VOCAB:
        raise ValueError(f"the vocabulary size must be between 1 and {MAX_VOCAB:,}, not {vocab_size}")
    return v


def one_hot(ids: Sequence[int], vocab_size: int, dtype=np.float32) -> np.ndarray:
    """(n, |V|) one-hot rows. Dense on purpose: this is the |V|-dimensional space an embedding compresses."""
    v = _check_vocab(vocab_size)
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= v):
        raise ValueError(f"word ids must lie in [0, {v})")
    out = np.zeros((ids.size, v), dtype=dtype)
    out[np.arange(ids.size), ids] = 1
    return out


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """(n, n) cosine similarity between the rows; an all-zero row has cosine 0 with everything (itself included)."""
    x = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    return unit @ unit.T


# ---------------------------------------------------------------- memory
def one_hot_bytes(vocab_size: int, itemsize: int = 4) -> int:
    """A one-hot vector for every word stored densely: a |V| × |V| matrix."""
    v = _check_vocab(vocab_size)
    return v * v * int(itemsize)


def index_bytes(vocab_size: int, itemsize: int = 8) -> int:
    """The same information stored sparsely: one integer index per word (what a lookup actually uses)."""
    return _check_vocab(vocab_size) * int(itemsize)


def embedding_bytes(vocab_size: int, dim: int, itemsize: int = 4) -> int:
    """A dense embedding table, |V| × d numbers."""
    if int(dim) < 1:
        raise ValueError(f"the embedding size d must be at least 1, not {dim}")
    return _check_vocab(vocab_size) * int(dim) * int(itemsize)


def memory_curve(vocab_sizes: Sequence[int], dim: int, itemsize: int = 4) -> dict[str, np.ndarray]:
    """Bytes of the three storages for each |V| (float64 arrays, exact below 2^53)."""
    vs = [_check_vocab(v) for v in vocab_sizes]
    return {
        "vocab": np.array(vs, dtype=np.int64),
        "one_hot": np.array([one_hot_bytes(v, itemsize) for v in vs], dtype=np.float64),
        "index": np.array([index_bytes(v) for v in vs], dtype=np.float64),
        "embedding": np.array([embedding_bytes(v, dim, itemsize) for v in vs], dtype=np.float64),
    }


# ---------------------------------------------------------------- dense vectors from a pretrained table
@dataclass(frozen=True)
class StaticVectors:
    words: list[str]  # the words that got a vector, in input order
    vectors: np.ndarray  # (n, d)
    pieces: list[list[str]]  # the tokenizer's pieces of each kept word
    unknown: list[str]  # words made only of unknown pieces (no row to look up)


def static_vectors(tokenizer, table, words: Sequence[str]) -> StaticVectors:
    """Input-embedding rows of each word (mean over its WordPiece pieces): context-free, a pure lookup table.

    `table` is the (|V|, d) embedding matrix (a torch tensor or an array); only the needed rows are read."""
    unk = getattr(tokenizer, "unk_token", None)
    kept, vecs, pieces, unknown = [], [], [], []
    for w in words:
        toks = [p for p in tokenizer.tokenize(w) if p != unk]
        if not toks:
            unknown.append(w)
            continue
        ids = tokenizer.convert_tokens_to_ids(toks)
        rows = table[ids]
        rows = rows.detach().cpu().numpy() if hasattr(rows, "detach") else np.asarray(rows)
        kept.append(w)
        vecs.append(rows.astype(np.float64).mean(axis=0))
        pieces.append(toks)
    d = int(table.shape[1])
    return StaticVectors(kept, np.stack(vecs) if vecs else np.zeros((0, d)), pieces, unknown)


def parse_words(text: str, limit: int = 8) -> list[str]:
    """'cat, kitten dog' -> up to `limit` distinct words (commas, Chinese commas or spaces separate them)."""
    out: list[str] = []
    for w in text.replace(",", " ").replace("，", " ").replace("、", " ").split():
        w = w[:30]
        if w not in out:
            out.append(w)
    return out[:limit]
