"""An n-gram language model with add-k smoothing, and perplexity (misc-04).

    PPL(w_1..w_N) = p(w_1..w_N)^(-1/N) = exp(-(1/N) sum_i log p(w_i | w_<i))

The vocabulary holds the training words, </s> (so a sentence's end is predicted too) and <unk>; <s> only pads
the history. With add-k, p(w | h) = (c(h, w) + k) / (c(h) + k |V|), which sums to 1 over V for every history,
so a model that knows nothing (uniform) has perplexity exactly |V|.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from engine.core.config import Checked, finite
from engine.core.errors import InputError

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


class NGramInputError(InputError):
    """Settings the n-gram LM cannot use; `.code` names the reason."""


@dataclass(frozen=True)
class NGramConfig(Checked):
    error = NGramInputError
    n: int = 2  # 1 = unigram, 2 = bigram, 3 = trigram
    k: float = 0.1  # add-k smoothing; k = 1 is Laplace
    min_count: int = 1  # rarer training words become <unk>
    seed: int = 0  # counting is deterministic; kept for the project's config contract

    def checks(self):
        yield 1 <= self.n <= 6, "n", f"n must be between 1 and 6, not {self.n}"
        yield finite(self.k) and self.k > 0, "k", f"k must be a positive number, not {self.k}"
        yield self.min_count >= 1, "min_count", "min_count must be at least 1"


class NGramLM:
    def __init__(self, cfg: NGramConfig):
        cfg.validate()
        self.cfg = cfg
        self.vocab: list[str] = []
        self._known: set[str] = set()
        self.counts: Counter[tuple[str, ...]] = Counter()  # n-gram counts
        self.context_counts: Counter[tuple[str, ...]] = Counter()  # (n-1)-gram history counts

    def fit(self, sentences: Iterable[list[str]]) -> "NGramLM":
        sentences = [list(s) for s in sentences if s]
        if not sentences:
            raise ValueError("no training sentences")
        freq = Counter(w for s in sentences for w in s)
        self._known = {w for w, c in freq.items() if c >= self.cfg.min_count}
        self.vocab = sorted(self._known) + [EOS, UNK]
        for s in sentences:
            for hist, w in self._events(s):
                self.counts[hist + (w,)] += 1
                self.context_counts[hist] += 1
        return self

    def _events(self, sentence: list[str]) -> list[tuple[tuple[str, ...], str]]:
        """(history of n-1 words, next word) for every word of the sentence and the final </s>."""
        words = [w if w in self._known else UNK for w in sentence] + [EOS]
        padded = [BOS] * (self.cfg.n - 1) + words
        return [(tuple(padded[i : i + self.cfg.n - 1]), padded[i + self.cfg.n - 1]) for i in range(len(words))]

    def prob(self, word: str, history: tuple[str, ...]) -> float:
        k, v = self.cfg.k, len(self.vocab)
        hist = tuple(history[-(self.cfg.n - 1) :]) if self.cfg.n > 1 else ()
        return (self.counts[hist + (word,)] + k) / (self.context_counts[hist] + k * v)

    def token_probs(self, sentence: list[str]) -> list[tuple[str, float]]:
        """(predicted token, its probability) for each word of the sentence and </s>."""
        return [(w, self.prob(w, h)) for h, w in self._events(sentence)]

    def perplexity(self, sentences: Iterable[list[str]]) -> float:
        logs = [math.log(p) for s in sentences if s for _, p in self.token_probs(s)]
        if not logs:
            raise ValueError("no text to score")
        return math.exp(-sum(logs) / len(logs))


def perplexity_from_probs(probs: Iterable[float]) -> float:
    """exp of the mean negative log-probability: the form every LM (n-gram, SmolLM2, ...) reports."""
    logs = [math.log(p) for p in probs]
    if not logs:
        raise ValueError("no probabilities")
    return math.exp(-sum(logs) / len(logs))


def running_perplexity(probs: list[float]) -> list[float]:
    """PPL of the first i tokens, i = 1..N (how the number settles as the text grows)."""
    out, total = [], 0.0
    for i, p in enumerate(probs, 1):
        total += -math.log(p)
        out.append(math.exp(total / i))
    return out
