"""Piece masking vs whole-word masking on one sentence, counted over many draws (bert-12, limitation 3).

BERT's WordPiece cuts rare words into pieces (the handbook's probability → pro ##babi ##lity). Per-piece masking
can hide ##babi alone, and the model fills it in from pro _ ##lity without understanding anything; whole-word
masking (BERT-wwm) draws once per word and hides all its pieces together. For Chinese, BERT's tokens are single
characters, so 模型 can lose just 模; WWM uses word boundaries from a segmenter (jieba here) instead.

Words come from jieba (it also splits English at spaces and punctuation); an English word is cut into pieces by
a real BERT WordPiece vocabulary, a Chinese word into characters. The draws themselves are
engine.bert.masking.mask_tokens with and without `word_ids`, the code every other masking demo uses.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from engine.bert.masking import IGNORE, mask_tokens
from engine.core.seeding import generator

MAX_PIECES = 128
_CJK = re.compile(r"[\u3400-\u9fff]")


def word_pieces(text: str, tokenizer) -> list[list[str]]:
    """[[pieces of word 1], ...]: jieba words with a letter or digit (punctuation and emoji are skipped); CJK words
    -> characters, others -> the tokenizer's WordPiece."""
    import jieba

    jieba.setLogLevel(60)
    out, total = [], 0
    for w in jieba.lcut(text or ""):
        if not any(ch.isalnum() for ch in w):  # spaces, punctuation, emoji: not words to mask
            continue
        pieces = [c for c in w if not c.isspace()] if _CJK.search(w) else tokenizer.tokenize(w)
        if not pieces:
            continue
        if total + len(pieces) > MAX_PIECES:
            if not out:  # one giant word: keep its first pieces
                out.append(pieces[:MAX_PIECES])
            break
        out.append(pieces)
        total += len(pieces)
    return out


def mask_pieces(
    words: list[list[str]], draws: int, probability: float = 0.15, *, whole_word: bool, seed: int = 0
) -> dict:
    """Choose targets `draws` times. Returns pieces (T,), word index per piece (T,), chosen (draws, T) bool."""
    if not words or draws < 1:
        raise ValueError("need at least one word and one draw")
    if not 0.0 <= probability <= 1.0:
        raise ValueError("probability must be in [0, 1]")
    pieces = [p for w in words for p in w]
    word_of = np.array([i for i, w in enumerate(words) for _ in w])
    T = len(pieces)
    ids = torch.arange(T).expand(draws, T).clone()
    special = torch.zeros(draws, T, dtype=torch.long)
    word_ids = torch.tensor(word_of).expand(draws, T).clone() if whole_word else None
    g = generator(seed)
    # replace_prob 1: every target shows as [MASK], as in the handbook's rows (the 80/10/10 split is another lab)
    _, labels = mask_tokens(ids, special, T, -1, probability, 1.0, 0.0, generator=g, word_ids=word_ids)
    return {"pieces": pieces, "word_of": word_of, "chosen": (labels != IGNORE).numpy()}


def split_share(chosen: np.ndarray, word_of: np.ndarray) -> tuple[float, int]:
    """Among (draw, multi-piece word) pairs where the word got at least one target: the share where only part of
    it was masked, and how many such pairs there were."""
    partial = touched = 0
    for w in np.unique(word_of):
        cols = word_of == w
        if cols.sum() < 2:
            continue
        k = chosen[:, cols].sum(1)
        touched += int((k > 0).sum())
        partial += int(((k > 0) & (k < cols.sum())).sum())
    return (partial / touched if touched else 0.0), touched


def masked_text(pieces: list[str], chosen_row: np.ndarray) -> list[str]:
    return ["[MASK]" if c else p for p, c in zip(pieces, chosen_row)]
