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


# ---------------------------------------------------------------- a small fastText (skip-gram + subwords)
import torch  # noqa: E402  (kept below the pure-Python helpers above, which need no torch)
import torch.nn as nn  # noqa: E402

from engine.corpus import Vocab  # noqa: E402
from engine.word2vec import Word2Vec, Word2VecConfig  # noqa: E402


class FastText(Word2Vec):
    """word2vec skip-gram whose input vector is the mean of the word's own vector and its n-gram vectors.

    Trains with engine.word2vec.train_word2vec (same pairs, same output layer); only `hidden` changes.
    """

    def __init__(self, cfg: Word2VecConfig, vocab: Vocab, min_n: int = 3, max_n: int = 6, bucket: int = 20_000):
        if not cfg.sg:
            raise ValueError("this small fastText is skip-gram only")
        super().__init__(cfg, vocab)
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket
        rows = [ngram_buckets(w, min_n, max_n, bucket) for w in vocab.itos]
        G = max(1, max(r.size for r in rows))
        ids = np.zeros((len(rows), G), dtype=np.int64)
        mask = np.zeros((len(rows), G), dtype=np.float32)
        for i, r in enumerate(rows):
            ids[i, : r.size], mask[i, : r.size] = r, 1.0
        self.register_buffer("ngram_ids", torch.from_numpy(ids))  # (V, G)
        self.register_buffer("ngram_mask", torch.from_numpy(mask))  # (V, G)
        g = torch.Generator().manual_seed(cfg.seed + 1)
        self.emb_ngram = nn.Embedding(bucket, cfg.dim, sparse=True)
        with torch.no_grad():
            self.emb_ngram.weight.copy_((torch.rand(bucket, cfg.dim, generator=g) - 0.5) / cfg.dim)

    def hidden(self, inputs: torch.Tensor) -> torch.Tensor:
        mask = self.ngram_mask[inputs]  # (B, G)
        grams = (self.emb_ngram(self.ngram_ids[inputs]) * mask[..., None]).sum(1)  # (B, d)
        return (self.emb_in(inputs) + grams) / (1.0 + mask.sum(1, keepdim=True))

    @property
    def vectors(self) -> np.ndarray:
        """In-vocabulary word vectors: word + n-grams, as used in training."""
        with torch.no_grad():
            return self.hidden(torch.arange(len(self.vocab))).numpy().astype(np.float32)

    def word_vector(self, word: str) -> np.ndarray:
        """Known words: their training vector; unknown words: the mean of their n-gram vectors (zeros if none)."""
        if word in self.vocab.stoi:
            return self.vectors[self.vocab.stoi[word]]
        return oov_vector(word, self.emb_ngram.weight.detach().numpy(), self.min_n, self.max_n)
