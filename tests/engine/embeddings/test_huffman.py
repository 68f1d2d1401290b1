"""engine/embeddings/huffman.py against gensim's Huffman tree (oracle), a heapq reference (minimal cost) and closed facts."""

import heapq

import numpy as np
import pytest

from engine.embeddings.huffman import huffman, path_probability, weighted_path_length


def _distinct_counts(V, seed):
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(np.arange(1, 20 * V), size=V, replace=False).tolist(), reverse=True)


@pytest.mark.parametrize("V,seed", [(2, 0), (3, 1), (17, 2), (60, 3)])
def test_codes_and_points_equal_gensim(V, seed):
    """Oracle: gensim Word2Vec(hs=1).build_vocab → wv.get_vecattr(w, 'code' / 'point'), tie-free counts."""
    from gensim.models import Word2Vec

    counts = _distinct_counts(V, seed)
    words = [f"w{i}" for i in range(V)]
    m = Word2Vec(vector_size=4, min_count=1, hs=1, negative=0)
    m.build_vocab([[w] * c for w, c in zip(words, counts)])
    assert m.wv.index_to_key == words
    tree = huffman(counts)
    for i, w in enumerate(words):
        assert tree.codes[i].tolist() == list(m.wv.get_vecattr(w, "code"))
        assert tree.points[i].tolist() == list(m.wv.get_vecattr(w, "point"))


def _heapq_cost(counts):
    heap = list(counts)
    heapq.heapify(heap)
    cost = 0
    while len(heap) > 1:
        a, b = heapq.heappop(heap), heapq.heappop(heap)
        cost += a + b  # each merge adds one bit to every word below it
        heapq.heappush(heap, a + b)
    return cost


@pytest.mark.parametrize("seed", range(5))
def test_prefix_free_kraft_minimal(seed):
    """Closed facts: V−1 internal nodes, root V−2, prefix-free, Σ 2^−len = 1; cost == heapq Huffman (minimal)."""
    rng = np.random.default_rng(seed)
    counts = sorted(rng.integers(1, 50, size=int(rng.integers(2, 40))).tolist(), reverse=True)  # ties allowed
    tree = huffman(counts)
    V = len(counts)
    assert len(tree.merges) == V - 1 and tree.merges[-1].step == V - 2
    assert all(p[0] == V - 2 for p in tree.points)
    assert {int(x) for p in tree.points for x in p} == set(range(V - 1))
    codes = ["".join(map(str, c)) for c in tree.codes]
    assert all(not b.startswith(a) for a in codes for b in codes if a != b)
    assert sum(2.0 ** -len(c) for c in codes) == pytest.approx(1.0)
    assert weighted_path_length(counts, tree) == _heapq_cost(counts)


def test_handbook_example():
    """Counts 10/5/3/2/1 → code lengths 1/2/3/4/4, weighted length 41."""
    tree = huffman([10, 5, 3, 2, 1])
    assert tree.code_lengths().tolist() == [1, 2, 3, 4, 4]
    assert weighted_path_length([10, 5, 3, 2, 1], tree) == 41
    assert tree.merges[0].small == 4 and tree.merges[0].large == 3  # the two rarest merge first, smaller gets 0


def test_path_probabilities_sum_to_one():
    """Σ_w P(w | h) over all leaves = 1 for any h and node vectors (brute force over the vocabulary)."""
    rng = np.random.default_rng(0)
    counts = _distinct_counts(23, 5)
    tree = huffman(counts)
    syn1, h = rng.normal(size=(22, 6)), rng.normal(size=6)
    total = sum(np.prod(path_probability(h, syn1, c, p)) for c, p in zip(tree.codes, tree.points))
    assert total == pytest.approx(1.0)


def test_bad_counts():
    with pytest.raises(ValueError):
        huffman([])
    with pytest.raises(ValueError):
        huffman([1, 5])
    assert huffman([7]).codes[0].size == 0


def test_code_lengths_match_the_full_tree_on_random_and_zipf_counts():
    """The fast path (depths only, used by the softmax-vs-HS ladder) against the tree word2vec.c's way."""
    from engine.embeddings.huffman import code_lengths

    rng = np.random.default_rng(0)
    for V in (1, 2, 3, 7, 64, 500):
        for _ in range(3):
            counts = np.sort(rng.integers(1, 30, V))[::-1]  # many ties: the tie rule decides the shape
            assert code_lengths(counts).tolist() == huffman(counts).code_lengths().tolist()
