"""fastText's subwords: a word is its own vector plus the vectors of its character n-grams.

The word is wrapped in '<' and '>' so prefixes and suffixes differ from inner n-grams ('<wh' vs 'wh'); every
n-gram of length min_n..max_n is hashed (FNV-1a, 32 bit) into one of `bucket` rows. A word never seen in
training still has n-grams, so its vector is the mean of those n-gram vectors (gensim's convention).
"""
from __future__ import annotations

import numpy as np


def compute_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """The character n-grams of '<word>', shortest first, as gensim's compute_ngrams ('where' → 14 n-grams)."""
    extended = f"<{word}>"
    out = []
    for n in range(min_n, min(len(extended), max_n) + 1):
        out.extend(extended[i:i + n] for i in range(len(extended) - n + 1))
    return out


def ft_hash(text: str) -> int:
    """fastText's FNV-1a over the UTF-8 bytes, each byte sign-extended first (as fastText and gensim do)."""
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= (b - 256 if b > 127 else b) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def ngram_buckets(word: str, min_n: int = 3, max_n: int = 6, bucket: int = 2_000_000) -> np.ndarray:
    """Row indices of the word's n-grams in the (bucket, d) n-gram matrix."""
    return np.array([ft_hash(g) % bucket for g in compute_ngrams(word, min_n, max_n)], dtype=np.int64)


def oov_vector(word: str, ngram_vectors: np.ndarray, min_n: int = 3, max_n: int = 6) -> np.ndarray:
    """Vector of an unseen word: the mean of its n-gram vectors (zeros if it has none)."""
    rows = ngram_buckets(word, min_n, max_n, ngram_vectors.shape[0])
    return ngram_vectors[rows].mean(0) if rows.size else np.zeros(ngram_vectors.shape[1], ngram_vectors.dtype)
