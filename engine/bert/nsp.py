"""Next-sentence-prediction pairs (Devlin et al. 2019, §3.1 "Task #2"): for sentence A, half of the time B is
the sentence that really follows A in its document (IsNext, label 0 as in `BertForPreTraining`), half of the time
a sentence from another document (NotNext, label 1). Segment ids: 0 for [CLS] A [SEP], 1 for B [SEP]."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IS_NEXT, NOT_NEXT = 0, 1


@dataclass(frozen=True)
class NspPair:
    a: str
    b: str
    label: int  # IS_NEXT | NOT_NEXT
    doc_a: int
    doc_b: int
    sent_a: int  # index of A in its document
    sent_b: int


def nsp_pairs(documents: list[list[str]], n_pairs: int, rng: np.random.Generator, p_next: float = 0.5) -> list[NspPair]:
    """Sample `n_pairs` pairs from documents (lists of sentences). Needs two documents and one with two sentences."""
    docs = [[s for s in d if s and s.strip()] for d in documents]
    starts = [(d, i) for d, sents in enumerate(docs) for i in range(len(sents) - 1)]
    non_empty = [d for d, sents in enumerate(docs) if sents]
    if not starts or len(non_empty) < 2:
        raise ValueError("NSP needs at least two documents and one document with two sentences")
    out = []
    for _ in range(n_pairs):
        d, i = starts[rng.integers(len(starts))]
        if rng.random() < p_next:
            out.append(NspPair(docs[d][i], docs[d][i + 1], IS_NEXT, d, d, i, i + 1))
        else:
            # uniform over the other documents: skip d by shifting the draw past it
            k = rng.integers(len(non_empty) - 1)
            other = non_empty[k] if non_empty[k] != d else non_empty[-1]
            j = int(rng.integers(len(docs[other])))
            out.append(NspPair(docs[d][i], docs[other][j], NOT_NEXT, d, other, i, j))
    return out


def segment_ids(n_a: int, n_b: int) -> list[int]:
    """Segment ids of `[CLS] A [SEP] B [SEP]` for A and B of n_a and n_b tokens."""
    return [0] * (n_a + 2) + [1] * (n_b + 1)
