"""Word-level precision / recall / F1 of a segmentation against the gold one (the SIGHAN bakeoff measure).

A predicted word counts as correct when the gold segmentation has a word with exactly the same character span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


def spans(words: Sequence[str]) -> set[tuple[int, int]]:
    """Each word as its (start, end) character offsets."""
    out, i = set(), 0
    for w in words:
        out.add((i, i + len(w)))
        i += len(w)
    return out


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    correct: int
    predicted: int
    gold: int


def word_prf(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> PRF:
    """pairs = (predicted words, gold words) per sentence, both covering the same text."""
    correct = predicted = gold = 0
    for pred, ref in pairs:
        if "".join(pred) != "".join(ref):
            raise ValueError("predicted and gold words must cover the same text")
        p, g = spans(pred), spans(ref)
        correct += len(p & g)
        predicted += len(p)
        gold += len(g)
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PRF(precision, recall, f1, correct, predicted, gold)
