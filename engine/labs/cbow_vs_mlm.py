"""BERT's masked LM next to word2vec's CBOW on one sentence (bert-06-3).

Both predict a word from the words on both sides of it. They differ in three ways:
- targets: CBOW makes every one of the n words a target (one example each), BERT only the ~15% it masks, so the
  number of targets per pass is Binomial(n, 0.15) (per-token Bernoulli draws, as in `mask_tokens`);
- input: CBOW's example sees only its window (the target itself is absent), BERT's encoder sees the whole
  sentence with [MASK] (or a random / the unchanged token) at the targets;
- output: CBOW keeps one vector per word type (a lookup table), BERT's vectors depend on the sentence.

CBOW examples come from engine.embeddings.word2vec.cbow_examples and BERT's masking from engine.bert.masking.mask_tokens, so
this file only arranges them for the lab.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from engine.bert.masking import IGNORE, fates, mask_tokens
from engine.core.seeding import generator
from engine.embeddings.word2vec import cbow_examples

MAX_WORDS = 40  # one sentence: longer input is cut (the page says so); 40 rows still read on a projector


def cbow_rows(words: list[str], window: int) -> list[tuple[list[str], str]]:
    """CBOW's training examples for one sentence with the full window: (context words, target word) per centre."""
    if window < 1:
        raise ValueError("window must be at least 1")
    ids = np.arange(len(words))
    ctx, targets = cbow_examples(ids, np.zeros(len(words), dtype=np.int64), window)  # (n, 2w), (n,)
    return [([words[j] for j in row if j >= 0], words[int(t)]) for row, t in zip(ctx, targets)]


def _sentence_batch(n: int, draws: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(draws, n + 2) ids 1..n between [CLS] = 0 and [SEP] = 0, and the special-token mask."""
    ids = torch.cat([torch.zeros(1), torch.arange(1, n + 1), torch.zeros(1)]).long().expand(draws, n + 2)
    special = torch.zeros(draws, n + 2, dtype=torch.long)
    special[:, 0] = special[:, -1] = 1
    return ids.clone(), special


def bert_row(words: list[str], probability: float = 0.15, seed: int = 0) -> tuple[list[str], list[int], list[str]]:
    """One BERT masking of the sentence, word level: (what the encoder sees, fate per word (engine.bert.masking
    codes), the target words). A random replacement draws another word of the same sentence."""
    n = len(words)
    ids, special = _sentence_batch(n, 1)
    mask_id = n + 1  # ids 1..n are the words; 0 is [CLS]/[SEP]
    g = generator(seed)
    inputs, labels = mask_tokens(ids, special, n + 1, mask_id, probability, generator=g)
    inputs = torch.where((inputs == 0) & (special == 0), ids, inputs)  # a random draw of id 0: keep the word
    f = fates(ids, inputs, labels, mask_id)[0, 1:-1].tolist()
    seen = ["[MASK]" if i == mask_id else words[i - 1] for i in inputs[0, 1:-1].tolist()]
    targets = [words[i - 1] for i, lab in zip(ids[0, 1:-1].tolist(), labels[0, 1:-1].tolist()) if lab != IGNORE]
    return seen, f, targets


def bert_target_counts(n: int, draws: int, probability: float = 0.15, seed: int = 0) -> np.ndarray:
    """Targets per masked copy of an n-word sentence over `draws` independent maskings: (draws,) ints."""
    if n < 1 or draws < 1:
        raise ValueError("need at least one word and one draw")
    ids, special = _sentence_batch(n, draws)
    g = generator(seed)
    _, labels = mask_tokens(ids, special, n + 1, n + 1, probability, generator=g)
    return (labels != IGNORE).sum(1).numpy()


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(K = k) for K ~ Binomial(n, p), k = 0..n (closed form)."""
    return np.array([math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])
