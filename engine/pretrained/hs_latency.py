"""Hierarchical softmax as a way to cut the cost of a large output layer (misc-14; the same tree as w2v-02).

A full softmax scores every word to normalise: |V| dot products of length d per token. Hierarchical softmax puts
the words at the leaves of a Huffman tree (engine.embeddings.huffman, word2vec.c's build) and writes
P(w | h) = Π over the nodes n on w's path of σ(±hᵀθ_n), which is already normalised, so scoring one word costs
len(code(w)) dot products. With a Huffman tree over word frequencies the expected path length L̄ is the optimal
prefix-code length: H(p) ≤ L̄ < H(p) + 1 bits, far below |V| (and below log₂|V| for skewed, Zipf-like text).

    counts = zipf_counts(V, s)                     word frequencies ∝ 1/rank^s
    out = HSOutput.build(counts, dim, seed)        the tree (padded codes / points) and random node vectors
    hs_logprob(h, out, targets)                    log P(target | h), (B,), via the path only
    softmax_logprob(h, W, targets)                 the same quantity through all |V| logits
    ladder(cfg, vocab_sizes)                       expected cost and measured ms/batch for each |V|

Caveat the page states too: the tree makes *scoring a given word* (training, rescoring, perplexity) O(log |V|);
picking the most likely word still has to search the tree (beam/greedy descent), not read one path.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator
from engine.embeddings.huffman import HuffmanTree, code_lengths, huffman

MAX_VOCAB = 200_000  # the tree is built in Python (~1 s for 100k words); the page offers up to 100k


class HSInputError(InputError):
    """Settings the hierarchical-softmax timing cannot use; `.code` names the reason."""


@dataclass(frozen=True)
class HSConfig(Checked):
    error = HSInputError
    dim: int = 64  # hidden size d of the vector that is scored
    batch: int = 64  # tokens scored per batch
    zipf_s: float = 1.0  # Zipf exponent of the word frequencies
    repeats: int = 7  # timed calls per measurement (the fastest counts)
    seed: int = 0

    def checks(self):
        yield (
            1 <= self.dim <= 4096 and 1 <= self.batch <= 4096 and 1 <= self.repeats <= 100,
            "size",
            "dim and batch must be 1-4096 and repeats 1-100",
        )
        yield (
            finite(self.zipf_s) and 0 <= self.zipf_s <= 5,
            "zipf",
            f"the Zipf exponent must be in [0, 5], not {self.zipf_s}",
        )


def _check_vocab(vocab_size: int) -> int:
    v = int(vocab_size)
    if not 2 <= v <= MAX_VOCAB:
        raise ValueError(f"the vocabulary size must be between 2 and {MAX_VOCAB:,}, not {vocab_size}")
    return v


def zipf_counts(vocab_size: int, s: float = 1.0, total: int = 10**9) -> np.ndarray:
    """Integer word counts ∝ 1/rank^s, most frequent first, every word seen at least once."""
    v = _check_vocab(vocab_size)
    p = 1.0 / np.arange(1, v + 1, dtype=np.float64) ** s
    return np.maximum(np.floor(total * p / p.sum()), 1).astype(np.int64)


def entropy_bits(counts) -> float:
    """H(p) in bits for p = counts / Σ counts: the lower bound on any prefix code's mean length."""
    p = np.asarray(counts, dtype=np.float64)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log2(p)).sum())


def mean_code_length(counts, tree: HuffmanTree | np.ndarray) -> float:
    """L̄ = Σ p(w) · len(code(w)): the expected number of node dot products to score one token (`tree`: a
    HuffmanTree or its code lengths)."""
    c = np.asarray(counts, dtype=np.float64)
    lengths = tree.code_lengths() if isinstance(tree, HuffmanTree) else np.asarray(tree)
    return float((c * lengths).sum() / c.sum())


# ---------------------------------------------------------------- the two output layers
@dataclass(frozen=True)
class HSOutput:
    codes: torch.Tensor  # (V, L) float 0/1 bits from the root down, zero-padded
    points: torch.Tensor  # (V, L) long: internal node (row of syn1) deciding each bit
    mask: torch.Tensor  # (V, L) float: 1 where the path is real
    syn1: torch.Tensor  # (V-1, d): one vector per internal node
    mean_length: float
    entropy: float

    @staticmethod
    def build(counts, dim: int, seed: int = 0) -> "HSOutput":
        return HSOutput.from_tree(huffman(counts), counts, dim, seed)

    @staticmethod
    def from_tree(tree: HuffmanTree, counts, dim: int, seed: int = 0) -> "HSOutput":
        codes, points, mask = (torch.from_numpy(a) for a in tree.padded())
        g = generator(seed)
        syn1 = torch.randn(max(len(counts) - 1, 1), dim, generator=g) / math.sqrt(dim)
        return HSOutput(codes, points, mask, syn1, mean_code_length(counts, tree), entropy_bits(counts))


def hs_logprob(h: torch.Tensor, out: HSOutput, targets: torch.Tensor) -> torch.Tensor:
    """log P(target | h) along the target's path only. h: (B, d), targets: (B,) -> (B,).

    word2vec.c's convention: bit 0 is the σ(hᵀθ) branch, bit 1 the 1 − σ(hᵀθ) = σ(−hᵀθ) branch."""
    pts, code, m = out.points[targets], out.codes[targets], out.mask[targets]  # (B, L) each
    z = torch.einsum("bld,bd->bl", out.syn1[pts], h)  # (B, L): one dot product per node on the path
    return (F.logsigmoid((1 - 2 * code) * z) * m).sum(-1)


def softmax_logprob(h: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """log P(target | h) with a full softmax over all |V| words. weight: (V, d) -> (B,)."""
    logits = h @ weight.T  # (B, V): every word scored, to normalise
    return torch.log_softmax(logits, dim=-1).gather(1, targets[:, None])[:, 0]


def time_pair_ms(fa: Callable[[], object], fb: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Fastest wall time (ms) of fa() and of fb() over `repeats` alternating calls, after one warm-up each.

    Alternating gives both the same background load; the minimum (timeit's advice) is the least noisy estimate of
    the intrinsic cost on a shared machine, where a median still moves with the neighbours' work."""
    fa(), fb()
    best = [math.inf, math.inf]
    for _ in range(repeats):
        for i, fn in enumerate((fa, fb)):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    return 1000.0 * best[0], 1000.0 * best[1]


@dataclass(frozen=True)
class LadderRow:
    vocab: int
    entropy: float  # bits
    mean_length: float  # expected nodes per token with the Huffman tree
    max_length: int  # deepest leaf
    softmax_ms: float  # ms per batch, full softmax (fastest of cfg.repeats, one thread)
    hs_ms: float  # ms per batch, hierarchical softmax (same)


@torch.no_grad()
def ladder(cfg: HSConfig, vocab_sizes: Sequence[int], measure: bool = True) -> list[LadderRow]:
    """For each |V|: the Huffman tree over Zipf counts, its expected cost, and (measure=True) the time to score one
    batch of targets (sampled from the same Zipf distribution) with each output layer."""
    cfg.validate()
    rows = []
    for v in vocab_sizes:
        counts = zipf_counts(v, cfg.zipf_s)
        lengths = code_lengths(counts)  # the codes themselves only when timing (building them is ~30x slower)
        mean_len, max_len = mean_code_length(counts, lengths), int(lengths.max())
        soft_ms = hs_ms = float("nan")
        if measure:
            out = HSOutput.from_tree(huffman(counts), counts, cfg.dim, cfg.seed)
            g = generator(cfg.seed + 1)
            h = torch.randn(cfg.batch, cfg.dim, generator=g)
            targets = torch.multinomial(torch.from_numpy(counts / counts.sum()), cfg.batch, True, generator=g)
            weight = torch.randn(v, cfg.dim, generator=g) / math.sqrt(cfg.dim)
            threads = torch.get_num_threads()
            torch.set_num_threads(1)  # one core, like a serving worker; two threads spin-wait on a busy 2-core box
            try:
                soft_ms, hs_ms = time_pair_ms(
                    lambda: softmax_logprob(h, weight, targets),  # noqa: B023 - called before the loop moves on
                    lambda: hs_logprob(h, out, targets),  # noqa: B023
                    cfg.repeats,
                )
            finally:
                torch.set_num_threads(threads)
        rows.append(LadderRow(int(v), entropy_bits(counts), mean_len, max_len, soft_ms, hs_ms))
    return rows
