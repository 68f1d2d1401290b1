"""Character feature templates for Chinese word segmentation, as sparse design matrices.

A template is a tuple of offsets: (0,) is "the character itself" (C0), (-1, 0) the bigram C-1C0, (-1, 1) the
characters on either side (C-1C1). An *attribute* is a template with concrete characters, e.g. C-1C0=北京. Each
position t of a sentence gets one attribute per template; positions outside the sentence read as BOS (before it)
or EOS (after it). `CHAR_TEMPLATES` are the usual ones of the CRFsuite / CRF++ segmentation recipes: the unigrams
C-2 … C2, the bigrams C-2C-1 … C1C2 and C-1C1.

Everything is vectorised over a whole corpus: the characters are Unicode code points in one int64 array, an
attribute is one integer key per template (code points packed in base BASE), the attributes seen in training are
kept per template as a sorted array of keys (np.unique), and a sentence batch becomes a CSR matrix X (positions ×
attributes, one 1 per known attribute): emissions = X @ W. An attribute never seen in training has no column.

`Batch` holds X and the sentences' lengths, plus the *time-major* order the dynamic programmes use: sentences sorted
by length (longest first), so at time t the sentences still running are the first `counts[t]` of them.
`attribute_strings` writes the same attributes as strings (for python-crfsuite, the peer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

Template = tuple[int, ...]
CHAR_TEMPLATES: tuple[Template, ...] = ((-2,), (-1,), (0,), (1,), (2,), (-2, -1), (-1, 0), (0, 1), (1, 2), (-1, 1))
BOS, EOS = 0x110000, 0x110001  # past the last Unicode code point
BASE = 0x110002  # keys: code points packed in base BASE (3 characters still fit in int64)


def codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All characters as code points (int64, sentences concatenated) and each sentence's length."""
    lengths = np.fromiter((len(s) for s in texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts).encode("utf-32-le")
    return np.frombuffer(joined, dtype=np.uint32).astype(np.int64), lengths


def positions(lengths: np.ndarray) -> np.ndarray:
    """Index of every character inside its sentence (0, 1, …, n-1 per sentence), concatenated."""
    total = int(lengths.sum())
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total, dtype=np.int64) - starts


def template_keys(cp: np.ndarray, lengths: np.ndarray, template: Template) -> np.ndarray:
    """(P,) int64 key of `template`'s attribute at every position."""
    pos = positions(lengths)
    length = np.repeat(lengths, lengths)
    key = np.zeros(len(cp), dtype=np.int64)
    for d in template:
        at = pos + d
        shifted = cp[np.clip(np.arange(len(cp)) + d, 0, max(len(cp) - 1, 0))] if len(cp) else cp
        c = np.where(at < 0, BOS, np.where(at >= length, EOS, shifted))
        key = key * BASE + c
    return key


def _char(c: int) -> str:
    return "<s>" if c == BOS else "</s>" if c == EOS else chr(c)


def template_name(template: Template) -> str:
    return "".join(f"C{d}" for d in template)


def attribute_strings(text: str, templates: Sequence[Template] = CHAR_TEMPLATES) -> list[list[str]]:
    """The attributes of every position as strings, e.g. 'C-1C0=北京' (what python-crfsuite is fed)."""
    cp = [BOS] * 3 + [ord(c) for c in text] + [EOS] * 3
    return [
        [f"{template_name(tp)}={''.join(_char(cp[t + 3 + d]) for d in tp)}" for tp in templates]
        for t in range(len(text))
    ]


@dataclass(frozen=True)
class Batch:
    """Sentences as a design matrix. X (P, A) CSR in sentence-major order (sentence 0's characters, then 1's, …);
    lengths (N,). Time-major view: `order` (N,) sentences longest first; `counts[t]` how many are longer than t;
    `tm` (P,) the sentence-major row of time-major slot k, where the slots of time t are
    offsets[t] … offsets[t] + counts[t] - 1, one per running sentence in `order`."""

    X: sp.csr_matrix
    lengths: np.ndarray
    order: np.ndarray
    counts: np.ndarray
    offsets: np.ndarray
    tm: np.ndarray

    @property
    def n_positions(self) -> int:
        return int(self.lengths.sum())

    def first_rows(self) -> np.ndarray:
        """Sentence-major row of each sentence's first character (sentences in their own order)."""
        return np.cumsum(self.lengths) - self.lengths

    def last_rows(self) -> np.ndarray:
        return np.cumsum(self.lengths) - 1


def time_major(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """order, counts, offsets and tm of `Batch` for sentences of these lengths (all >= 1)."""
    order = np.argsort(-lengths, kind="stable")
    sorted_len = lengths[order]
    max_len = int(sorted_len[0]) if len(sorted_len) else 0
    # counts[t] = number of sentences with length > t
    counts = np.searchsorted(-sorted_len, -np.arange(max_len), side="left").astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    starts = np.cumsum(lengths) - lengths  # sentence-major row of each sentence's first character
    t_of = np.repeat(np.arange(max_len), counts)  # time of each time-major slot
    rank = np.arange(len(t_of)) - offsets[t_of]  # which running sentence (index into order)
    tm = starts[order[rank]] + t_of
    return order, counts, offsets, tm


class FeatureIndex:
    """The attributes seen in training, template by template: `fit` learns them, `transform` turns sentences into a
    `Batch` (unseen attributes dropped). Column ids: template j's attributes occupy
    [bounds[j], bounds[j + 1]), in sorted key order."""

    def __init__(self, templates: Sequence[Template] = CHAR_TEMPLATES, min_count: int = 1):
        if not templates or any(not tp or len(tp) > 3 for tp in templates):
            raise ValueError("templates must be non-empty tuples of 1 to 3 offsets")
        self.templates = tuple(tuple(int(d) for d in tp) for tp in templates)
        self.min_count = min_count
        self.keys: list[np.ndarray] = []
        self.bounds = np.zeros(1, dtype=np.int64)

    @property
    def n_attributes(self) -> int:
        return int(self.bounds[-1])

    def fit_transform(self, texts: Sequence[str]) -> Batch:
        cp, lengths = codes(texts)
        self.keys, cols = [], []
        base = 0
        bounds = [0]
        for tp in self.templates:
            k = template_keys(cp, lengths, tp)
            uniq, inverse, count = np.unique(k, return_inverse=True, return_counts=True)
            if self.min_count > 1:
                keep = count >= self.min_count
                new_id = np.cumsum(keep) - 1
                col = np.where(keep[inverse], new_id[inverse], -1)
                uniq = uniq[keep]
            else:
                col = inverse
            self.keys.append(uniq)
            cols.append(np.where(col >= 0, col + base, -1))
            base += len(uniq)
            bounds.append(base)
        self.bounds = np.array(bounds, dtype=np.int64)
        return self._batch(np.stack(cols, axis=1), lengths)

    def transform(self, texts: Sequence[str]) -> Batch:
        cp, lengths = codes(texts)
        cols = []
        for j, tp in enumerate(self.templates):
            k = template_keys(cp, lengths, tp)
            uniq = self.keys[j]
            idx = np.searchsorted(uniq, k)
            found = idx < len(uniq)
            found[found] = uniq[idx[found]] == k[found]
            cols.append(np.where(found, idx + self.bounds[j], -1))
        return self._batch(np.stack(cols, axis=1) if cols else np.zeros((len(cp), 0), np.int64), lengths)

    def _batch(self, cols: np.ndarray, lengths: np.ndarray) -> Batch:
        """cols (P, J): the column of each template's attribute at each position (-1 = unseen)."""
        known = cols >= 0
        indptr = np.concatenate([[0], np.cumsum(known.sum(1))]).astype(np.int64)
        indices = cols[known].astype(np.int32)
        X = sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(cols), max(self.n_attributes, 1)))
        X.has_sorted_indices = True  # templates' column ranges are increasing along each row
        return Batch(X, lengths, *time_major(lengths))

    def attribute_name(self, column: int) -> str:
        """The attribute of a column as a string ('C-1C0=北京'), the naming of `attribute_strings`."""
        j = int(np.searchsorted(self.bounds, column, side="right") - 1)
        tp, key = self.templates[j], int(self.keys[j][column - self.bounds[j]])
        chars = []
        for _ in tp:
            key, c = divmod(key, BASE)
            chars.append(_char(c))
        return f"{template_name(tp)}={''.join(reversed(chars))}"
