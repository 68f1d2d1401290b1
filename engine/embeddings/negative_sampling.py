"""Negative sampling's noise distribution: unigram counts raised to 0.75, as a lookup table.

word2vec.c cuts [0, 1) into V pieces of length count^0.75 / Σ count^0.75, lays an even grid of M cells over it
(M = 1e8 in word2vec.c) and stores in each cell the word whose piece covers it; drawing a negative is then
one uniform integer in [0, M) and one table look-up. M only needs to be much larger than V; the browser uses
1e6 by default. gensim keeps the cumulative sums instead (`cum_table`) and binary-searches them.
"""

from __future__ import annotations

import numpy as np

DEFAULT_TABLE_SIZE = 1_000_000


def noise_distribution(counts, power: float = 0.75) -> np.ndarray:
    """P_n(w) = count(w)^power / Σ count^power (power 1: the raw unigram, power 0: uniform)."""
    c = np.asarray(counts, dtype=np.float64) ** float(power)
    return c / c.sum()


def unigram_table(counts, power: float = 0.75, size: int = DEFAULT_TABLE_SIZE) -> np.ndarray:
    """word2vec.c's InitUnigramTable: cell i holds the word whose cumulative piece covers (i + ½) / size."""
    if size < 1:
        raise ValueError("the table needs at least one cell")
    cum = np.cumsum(noise_distribution(counts, power))
    cum[-1] = 1.0  # guard against rounding: the last piece ends exactly at 1
    grid = (np.arange(size, dtype=np.float64) + 0.5) / size
    return np.searchsorted(cum, grid, side="right").astype(np.int64 if len(cum) > 2**31 - 1 else np.int32)


def cum_table(counts, power: float = 0.75, domain: int = 2**31 - 1) -> np.ndarray:
    """gensim's make_cum_table: rounded cumulative shares scaled to `domain` (uint32)."""
    cum = np.cumsum(np.asarray(counts, dtype=np.float64) ** float(power))
    return np.round(cum / cum[-1] * domain).astype(np.uint32)


class NegativeSampler:
    """Draws negatives from the table with a seeded numpy Generator (no global random state)."""

    def __init__(
        self, counts, power: float = 0.75, table_size: int = DEFAULT_TABLE_SIZE, seed: int | np.random.Generator = 0
    ):
        self.power = float(power)
        self.table = unigram_table(counts, power, table_size)
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def draw(self, *shape: int) -> np.ndarray:
        """Word ids of the given shape, e.g. draw(batch, k)."""
        return self.table[self.rng.integers(0, self.table.size, size=shape)].astype(np.int64)

    def empirical(self, n_words: int) -> np.ndarray:
        """Each word's share of the table cells: equals the noise distribution within 1/size."""
        return np.bincount(self.table, minlength=n_words) / self.table.size
