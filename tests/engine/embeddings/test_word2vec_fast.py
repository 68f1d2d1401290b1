"""engine/embeddings/word2vec_fast.py (numba per-pair SGD) against closed-form SGD steps and the same quality bar as the
PyTorch reference and gensim (tests/engine/embeddings/test_word2vec.py)."""

import numpy as np
import pytest

from engine.embeddings.huffman import huffman
from engine.embeddings.word2vec import Word2VecConfig

fast = pytest.importorskip("engine.embeddings.word2vec_fast")


def _sig(f):
    return 1 / (1 + np.exp(-f))


def test_one_hs_pass_equals_closed_form_sgd():
    """Oracle: word2vec.c's update written out in numpy: for each (context, centre) pair and each node on the
    centre's Huffman path, g = (1 − code − σ(l1ᵀθ))·α; θ += g·l1; l1 += Σ g·θ (table σ within 0.005)."""
    counts = np.array([5, 3, 2])
    tree = huffman(counts)
    codes, points, mask = tree.padded()
    rng = np.random.default_rng(0)
    syn0 = rng.normal(scale=0.5, size=(3, 4)).astype(np.float32)
    syn1 = rng.normal(scale=0.5, size=(2, 4)).astype(np.float32)
    tokens, starts = np.array([0, 2], dtype=np.int64), np.array([0, 2], dtype=np.int64)
    keep = np.ones(3)
    alpha = 0.1
    ref0, ref1 = syn0.astype(np.float64), syn1.astype(np.float64)
    before = syn0.copy()
    for centre, ctx in ((0, 2), (2, 0)):  # window 1: position 0 then position 1
        l1, neu1e = ref0[ctx].copy(), np.zeros(4)
        for j in range(int(mask[centre].sum())):
            row = points[centre, j]
            g = (1 - codes[centre, j] - _sig(l1 @ ref1[row])) * alpha
            neu1e += g * ref1[row]
            ref1[row] += g * l1
        ref0[ctx] += neu1e
    seen, pairs, loss = fast._train_chunk(
        syn0,
        syn1,
        tokens,
        starts,
        0,
        1,
        keep,
        True,
        True,
        True,
        codes.astype(np.float32),
        points,
        mask.sum(1).astype(np.int64),
        np.zeros(1, np.int64),
        1,
        0,
        alpha,
        0.0,
        1.0,
        1e12,
        7,
        fast.SIGMOID_TABLE,
        fast.LOG_SIGMOID_TABLE,
    )
    assert (seen, pairs) == (2, 2) and loss > 0
    np.testing.assert_allclose(syn0, ref0, atol=5e-3)
    np.testing.assert_allclose(syn1, ref1, atol=5e-3)
    assert np.abs(syn0 - before).max() > 0.01  # the step really moved the vectors


@pytest.mark.parametrize("sg,hs", [(True, False), (True, True), (False, False), (False, True)])
def test_fast_path_separates_clusters(sg, hs):
    """Same bar as the reference and gensim: neighbour purity ≥ 0.9 on the 3-cluster corpus."""
    from test_word2vec import _cluster_corpus, _purity

    clusters, sents = _cluster_corpus()
    cfg = Word2VecConfig(sg=sg, hs=hs, dim=20, window=3, epochs=5, sample=0, lr=0.025 if sg else 0.05, seed=1)
    res = fast.fit_word2vec_fast(sents, cfg, workers=1)
    assert res.status == "done" and res.losses[-1] < res.losses[0]
    assert _purity(res.vectors, res.vocab, clusters) >= 0.9


def test_negative_draws_follow_unigram_075():
    """Oracle: gensim's cum_table (tests/engine/embeddings/test_word2vec.py) searched like gensim; chi-square against
    count^0.75 / Σ count^0.75."""
    from scipy.stats import chisquare

    from engine.embeddings.negative_sampling import cum_table, noise_distribution

    counts = np.array([50, 31, 20, 9, 4, 2, 1])
    draws = fast.sample_negatives(cum_table(counts).astype(np.int64), 50_000, 12345)
    p = noise_distribution(counts)
    assert chisquare(np.bincount(draws, minlength=7), p * draws.size).pvalue > 1e-3
    assert chisquare(np.bincount(draws, minlength=7), noise_distribution(counts, 1.0) * draws.size).pvalue < 1e-6
