"""tf-idf written out (the sparse, exact-word baseline word2vec is compared with), matching sklearn's defaults.

tf(t, d) = raw count of t in d; idf(t) = ln((1 + n) / (1 + df(t))) + 1 (smoothed, sklearn's smooth_idf=True);
each document vector tf·idf is scaled to unit length. Two texts that share no word get cosine exactly 0.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class TfIdf:
    terms: list[str]  # sorted, like sklearn's vocabulary order
    idf: np.ndarray  # (T,)
    matrix: np.ndarray  # (n_docs, T) rows L2-normalised (or raw tf·idf when norm=False)


def count_matrix(docs: Sequence[Sequence[str]], terms: Sequence[str] | None = None) -> tuple[np.ndarray, list[str]]:
    """Bag of words: (n_docs, T) raw counts over sorted terms (order is thrown away: 'dog bites man' = 'man bites dog')."""
    terms = sorted({w for d in docs for w in d}) if terms is None else list(terms)
    index = {w: i for i, w in enumerate(terms)}
    m = np.zeros((len(docs), len(terms)), dtype=np.float64)
    for r, d in enumerate(docs):
        for w, c in Counter(d).items():
            if w in index:
                m[r, index[w]] = c
    return m, terms


def tfidf(
    docs: Sequence[Sequence[str]], *, smooth_idf: bool = True, sublinear_tf: bool = False, norm: bool = True
) -> TfIdf:
    tf, terms = count_matrix(docs)
    n = tf.shape[0]
    df = (tf > 0).sum(0)
    idf = np.log((1 + n) / (1 + df)) + 1 if smooth_idf else np.log(n / np.maximum(df, 1)) + 1
    if sublinear_tf:
        tf = np.where(tf > 0, 1 + np.log(np.where(tf > 0, tf, 1)), 0)
    m = tf * idf
    if norm:
        lengths = np.linalg.norm(m, axis=1, keepdims=True)
        m = m / np.where(lengths == 0, 1, lengths)
    return TfIdf(terms, idf, m)


def cosine_matrix(m: np.ndarray) -> np.ndarray:
    """Pairwise cosine of the rows (0 for an all-zero row)."""
    n = np.linalg.norm(m, axis=1, keepdims=True)
    u = m / np.where(n == 0, 1, n)
    return u @ u.T
