"""The Huffman tree behind hierarchical softmax, built exactly as word2vec.c (and gensim) build it.

Counts must be sorted from most to least frequent (engine.core.corpus.Vocab order). word2vec.c keeps two cursors:
one walks the leaves from the rarest upwards, the other walks the internal nodes in creation order (their
counts only grow), so each step merges the two smallest counts in O(1). The smaller of the two gets bit 0, the
other bit 1; the internal node made at merge step a is row a of the output matrix (syn1), so the root is V-2.
Codes and points of a word run from the root down to its leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Merge:
    step: int  # merge step a: the new internal node is point a (node id V + a)
    small: int  # node id of the smaller child (gets bit 0); ids < V are words, ids >= V internal nodes
    large: int  # node id of the other child (gets bit 1)
    count: int  # count of the new node


@dataclass(frozen=True)
class HuffmanTree:
    codes: list[np.ndarray]  # per word: uint8 bits from the root down (0 = smaller child)
    points: list[np.ndarray]  # per word: int64 internal-node indices (rows of syn1) from the root down
    merges: list[Merge]  # the build, step by step (for the page's replay)
    parent: np.ndarray  # (2V-1,) node id of each node's parent, -1 for the root

    @property
    def n_words(self) -> int:
        return len(self.codes)

    def code_lengths(self) -> np.ndarray:
        return np.array([len(c) for c in self.codes], dtype=np.int64)

    def padded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(codes, points, mask), each (V, L) with L the longest code: the batched form the model uses."""
        L = max(1, int(self.code_lengths().max(initial=0)))
        V = self.n_words
        codes = np.zeros((V, L), dtype=np.float32)
        points = np.zeros((V, L), dtype=np.int64)
        mask = np.zeros((V, L), dtype=np.float32)
        for w, (c, p) in enumerate(zip(self.codes, self.points)):
            codes[w, : len(c)] = c
            points[w, : len(p)] = p
            mask[w, : len(c)] = 1.0
        return codes, points, mask


def _merge(counts) -> tuple[int, list[int], list[int], list[int], list[tuple[int, int]]]:
    """word2vec.c's two-cursor merge loop: V, each node's parent, bit and count, and (small, large) per merge (on
    Python lists, without Merge objects: code_lengths needs only the parents, ~10x faster)."""
    counts = np.asarray(counts, dtype=np.int64)
    V = int(counts.size)
    if V == 0:
        raise ValueError("huffman() needs at least one word")
    if np.any(np.diff(counts) > 0):
        raise ValueError("counts must be sorted from most to least frequent")
    big = np.iinfo(np.int64).max // 4
    count = counts.tolist() + [big] * max(V - 1, 0)
    parent = [-1] * (2 * V - 1)
    binary = [0] * (2 * V - 1)
    merged: list[tuple[int, int]] = []
    pos1, pos2 = V - 1, V  # rarest leaf not yet merged; oldest internal node not yet merged
    for a in range(V - 1):
        picked = []
        for _ in range(2):
            # a tie goes to the internal node (strict '<' in word2vec.c)
            if pos1 >= 0 and count[pos1] < count[pos2]:
                picked.append(pos1)
                pos1 -= 1
            else:
                picked.append(pos2)
                pos2 += 1
        small, large = picked
        count[V + a] = count[small] + count[large]
        parent[small] = parent[large] = V + a
        binary[large] = 1
        merged.append((small, large))
    return V, parent, binary, count, merged


def huffman(counts) -> HuffmanTree:
    """word2vec.c's CreateBinaryTree for `counts` sorted descending (a list or array of V >= 1 ints)."""
    V, parent, binary, count, merged = _merge(counts)
    merges = [Merge(a, small, large, count[V + a]) for a, (small, large) in enumerate(merged)]
    root = 2 * V - 2
    codes, points = [], []
    for w in range(V):
        bits, nodes = [], []
        node = w
        while node != root:
            bits.append(binary[node])
            node = parent[node]
            nodes.append(node - V)  # the internal node whose vector decides this bit
        codes.append(np.array(bits[::-1], dtype=np.uint8))
        points.append(np.array(nodes[::-1], dtype=np.int64))
    return HuffmanTree(codes, points, merges, np.array(parent, dtype=np.int64))


def code_lengths(counts) -> np.ndarray:
    """(V,) the length of each word's Huffman code, without building the codes (huffman(counts).code_lengths())."""
    V, parent, _, _, _ = _merge(counts)
    up = np.array(parent, dtype=np.int64)
    up[2 * V - 2] = 2 * V - 2  # the root is its own parent: every walk stops there
    node, depth = np.arange(V), np.zeros(V, dtype=np.int64)
    while True:  # one vectorised step up per level
        below = node != 2 * V - 2
        if not below.any():
            return depth
        depth += below
        node = up[node]


def weighted_path_length(counts, tree: HuffmanTree) -> int:
    """Σ count(w) · len(code(w)): what a Huffman tree minimises."""
    return int(np.dot(np.asarray(counts, dtype=np.int64), tree.code_lengths()))


def path_probability(h: np.ndarray, syn1: np.ndarray, code: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Per internal node on a word's path: P(taking this word's branch) = σ(hᵀθ) for bit 0, 1 − σ(hᵀθ) for bit 1.

    Their product is P(word | h). word2vec.c trains σ(hᵀθ) towards 1 − bit, so bit 0 is the "σ" branch.
    """
    z = syn1[point] @ h  # (L,)
    s = 1.0 / (1.0 + np.exp(-z))
    return np.where(code == 0, s, 1.0 - s)


def parse_counts(text: str, max_words: int = 40) -> tuple[list[str], list[int]]:
    """'the:10 cat:5 …' (commas or spaces) → words and counts sorted most frequent first (ties keep input order).

    Raises ValueError with a short reason for anything else: the page shows it as a message.
    """
    pairs: dict[str, int] = {}
    for item in text.replace(",", " ").replace("，", " ").split():
        word, sep, num = item.rpartition(":")
        if not sep or not word or not num.isdigit() or not 0 < int(num) < 10**12:
            raise ValueError(item[:30])
        pairs[word[:30]] = pairs.get(word[:30], 0) + int(num)
    if len(pairs) < 2 or len(pairs) > max_words:
        raise ValueError(str(len(pairs)))
    ranked = sorted(pairs.items(), key=lambda kv: -kv[1])
    return [w for w, _ in ranked], [c for _, c in ranked]
