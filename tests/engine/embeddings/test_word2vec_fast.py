"""engine/embeddings/word2vec_fast.py (numba per-example SGD, hogwild threads) against a numpy re-implementation of
whole jobs, autograd on one example, the exact noise distribution, and the same learning bar as the PyTorch reference
and gensim (tests/engine/embeddings/test_word2vec.py)."""

import threading

import numpy as np
import pytest
import torch

from engine.embeddings.huffman import huffman
from engine.embeddings.negative_sampling import noise_distribution
from engine.embeddings.word2vec import Word2VecConfig, prepare

fast = pytest.importorskip("engine.embeddings.word2vec_fast")
if not fast.HAVE_NUMBA:  # pragma: no cover
    pytest.skip("numba is not installed", allow_module_level=True)

TWO32 = np.uint64(1 << 32)


def _sig(f):
    return 1 / (1 + np.exp(-f))


def _reference_hs_job(syn0, syn1, sentence, codes, points, lengths, sg, cbow_mean, alpha):
    """word2vec.c's HS update in float64 numpy, window 1, no sub-sampling: for each centre word, its path nodes j
    give g_j = (1 − code_j − σ(h·θ_j))·α; neu1e = Σ g_j·θ_j; θ_j += g_j·h; then the input rows move by neu1e.
    Skip-gram: h = syn0[context], one example per context; CBOW: h = mean (or sum) of the context rows."""
    s0, s1 = syn0.astype(np.float64), syn1.astype(np.float64)
    n = len(sentence)
    for pos, word in enumerate(sentence):
        ctx = [sentence[c] for c in (pos - 1, pos + 1) if 0 <= c < n]
        hidden = [(s0[c].copy(), [c]) for c in ctx] if sg else [(s0[ctx].sum(0) / (len(ctx) if cbow_mean else 1), ctx)]
        for h, rows in hidden:
            neu1e = np.zeros_like(h)
            for j in range(lengths[word]):
                node = points[word, j]
                g = (1 - codes[word, j] - _sig(h @ s1[node])) * alpha
                neu1e += g * s1[node]
                s1[node] += g * h
            for r in rows:
                s0[r] += neu1e
    return s0, s1


def _run_job(syn0, syn1, sentence, counts, sg, hs, cbow_mean, alpha, negative=5, seed=7):
    """One _train_job over one sentence, window 1 (the reduced window is always 1), no sub-sampling."""
    codes, points, mask = huffman(counts).padded()
    V = len(counts)
    alias, thresholds = fast.alias_table(noise_distribution(counts))
    d = syn0.shape[1]
    return fast._train_job(
        syn0,
        syn1,
        np.asarray(sentence, dtype=np.int64),
        np.array([0, len(sentence)], dtype=np.int64),
        0,
        1,
        np.full(V, TWO32, dtype=np.uint64),
        sg,
        hs,
        cbow_mean,
        (1 - codes).astype(np.float32),
        points.astype(np.int32),
        mask.sum(1).astype(np.int64),
        alias,
        thresholds,
        1,
        negative,
        alpha,
        alpha,
        seed,
        fast.SIGMOID_TABLE,
        fast.LOG_SIGMOID_TABLE,
        np.zeros((1, d), np.float32),
        np.zeros(d, np.float32),
        np.zeros(len(sentence) + 1, np.int64),
        np.zeros(max(points.shape[1], negative + 1), np.float32),
        0,  # no hot-row copies (one thread)
        0,
        np.zeros((1, d), np.float32),
        8,
    )


@pytest.mark.parametrize("sg,cbow_mean", [(True, True), (False, True), (False, False)])
def test_hs_job_equals_numpy_reference(sg, cbow_mean):
    """Oracle: _reference_hs_job (float64, exact σ); the kernel's tabulated σ is within 0.003, hence atol 5e-3."""
    counts = np.array([9, 5, 3, 2, 1])
    codes, points, mask = huffman(counts).padded()
    rng = np.random.default_rng(0)
    syn0 = rng.normal(scale=0.5, size=(5, 4)).astype(np.float32)
    syn1 = rng.normal(scale=0.5, size=(4, 4)).astype(np.float32)
    sentence = [0, 3, 1, 4, 0, 2]
    ref0, ref1 = _reference_hs_job(syn0, syn1, sentence, codes, points, mask.sum(1).astype(int), sg, cbow_mean, 0.1)
    before = syn0.copy()
    seen, examples, loss = _run_job(syn0, syn1, sentence, counts, sg, True, cbow_mean, 0.1)
    assert (seen, examples) == (6, 10 if sg else 6) and loss > 0
    np.testing.assert_allclose(syn0, ref0, atol=5e-3)
    np.testing.assert_allclose(syn1, ref1, atol=5e-3)
    assert np.abs(syn0 - before).max() > 0.02  # the job really moved the vectors


@pytest.mark.parametrize("labels,rows", [([1, 0, 0, 0], [2, 0, 3, 0]), ([1, 0, 1, 1, 0], [6, 1, 4, 0, 2])])
def test_one_example_is_an_sgd_step_on_its_loss(labels, rows):
    """Oracle: torch autograd on L = Σ_j −log σ(±h·u_j) (+ for label 1, − for 0). The kernel's example must leave
    u ← u − α·∂L/∂u (a row drawn twice, as a noise word can be, gets both terms) and neu1e = −α·∂L/∂h, and return L.
    The first case is NS (true word 2, noise words 0, 3, 0), the second an HS path of five nodes."""
    rng = np.random.default_rng(1)
    h = rng.normal(scale=0.4, size=(1, 8)).astype(np.float32)
    syn1 = rng.normal(scale=0.4, size=(7, 8)).astype(np.float32)
    syn1_before = syn1.copy()
    alpha = 0.05
    th, tu = torch.tensor(h[0], dtype=torch.float64, requires_grad=True), torch.tensor(syn1, dtype=torch.float64)
    tu.requires_grad_(True)
    sign = torch.tensor([1.0 if lab else -1.0 for lab in labels], dtype=torch.float64)
    L = -torch.nn.functional.logsigmoid(sign * (tu[rows] @ th)).sum()
    L.backward()
    neu1e = np.zeros(8, np.float32)
    loss = fast._example(
        h,
        0,
        syn1,
        np.array([rows], dtype=np.int64),
        np.array([labels], dtype=np.float32),
        0,
        len(rows),
        np.float32(alpha),
        neu1e,
        np.zeros(len(rows), np.float32),
        fast.SIGMOID_TABLE,
        fast.LOG_SIGMOID_TABLE,
    )
    # the σ table's cells are 0.012 wide, so each σ is within 0.003: each g_j = (label − σ)·α within 0.003·α
    tol_u = 2 * 0.003 * alpha * np.abs(h).max()  # a row drawn twice takes two g's
    tol_h = 0.003 * alpha * np.abs(syn1_before[rows]).sum(0).max()
    assert loss == pytest.approx(L.item(), abs=0.02)
    np.testing.assert_allclose(syn1, (tu - alpha * tu.grad).detach().numpy(), atol=tol_u)
    np.testing.assert_allclose(neu1e, (-alpha * th.grad).numpy(), atol=tol_h)
    assert np.abs(syn1 - syn1_before).max() > 20 * tol_u  # the step is much larger than the tolerance


def test_saturated_decisions_update_nothing():
    """gensim's rule (and word2vec.c's for HS): with |h·u| ≥ 6 the decision is skipped; its loss still counts."""
    h = np.full((1, 4), 2.0, np.float32)
    syn1 = np.full((2, 4), 1.0, np.float32)  # h·u = 8
    neu1e = np.zeros(4, np.float32)
    loss = fast._example(
        h,
        0,
        syn1,
        np.array([[0, 1]], np.int64),
        np.array([[1, 0]], np.float32),
        0,
        2,
        np.float32(0.1),
        neu1e,
        np.zeros(2, np.float32),
        fast.SIGMOID_TABLE,
        fast.LOG_SIGMOID_TABLE,
    )
    assert np.all(syn1 == 1.0) and np.all(neu1e == 0.0)
    assert loss == pytest.approx(6.0, abs=0.05)  # −log σ(−8) ≈ 8, clipped to the table's edge (6) + −log σ(6) ≈ 0


@pytest.mark.parametrize("sg,hs", [(True, False), (True, True), (False, False), (False, True)])
def test_fast_path_separates_clusters(sg, hs):
    """Same bar as the reference and gensim: neighbour purity ≥ 0.9 on the 3-cluster corpus, and the loss falls."""
    from test_word2vec import _cluster_corpus, _purity

    clusters, sents = _cluster_corpus()
    cfg = Word2VecConfig(sg=sg, hs=hs, dim=20, window=3, epochs=5, sample=0, lr=0.025 if sg else 0.05, seed=1)
    res = fast.fit_word2vec_fast(sents, cfg, workers=1)
    assert res.status == "done" and res.losses[-1] < res.losses[0]
    assert res.vectors.shape == (len(res.vocab), 20) and res.vectors.flags.c_contiguous
    assert _purity(res.vectors, res.vocab, clusters) >= 0.9
    untrained = fast.init_weights(len(res.vocab), cfg)[0][:, :20]
    assert _purity(untrained, res.vocab, clusters) < 0.6  # the bar is not met by chance


@pytest.mark.parametrize("hs", [False, True])
def test_one_thread_is_deterministic_and_two_threads_learn_too(hs):
    """With two threads HS keeps per-thread copies of the nodes nearest the root (here all 23 nodes are such)."""
    from test_word2vec import _cluster_corpus, _purity

    clusters, sents = _cluster_corpus(n=300)
    cfg = Word2VecConfig(sg=True, hs=hs, dim=16, window=3, epochs=5, sample=1e-2, seed=3)
    data = prepare(sents, cfg)
    a = fast.fit_word2vec_fast(data, cfg, workers=1, job_words=500).vectors
    b = fast.fit_word2vec_fast(data, cfg, workers=1, job_words=500).vectors
    c = fast.fit_word2vec_fast(data, Word2VecConfig(**{**cfg.__dict__, "seed": 4}), workers=1, job_words=500).vectors
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3
    two = fast.fit_word2vec_fast(data, cfg, workers=2, job_words=500)
    assert _purity(a, data.vocab, clusters) >= 0.9 and _purity(two.vectors, two.vocab, clusters) >= 0.9


@pytest.mark.parametrize("sg,hs", [(True, False), (True, True), (False, False), (False, True)])
def test_padding_columns_stay_zero(sg, hs):
    """The kernel works on rows padded to 16 columns; the padding must never move (it would change dot products)."""
    counts = np.array([9, 5, 3, 2, 1])
    rng = np.random.default_rng(2)
    syn0, syn1 = np.zeros((5, 16), np.float32), np.zeros((5, 16), np.float32)
    syn0[:, :3] = rng.normal(scale=0.5, size=(5, 3))
    syn1[:, :3] = rng.normal(scale=0.5, size=(5, 3))
    before = syn0.copy()
    _run_job(syn0, syn1, [0, 3, 1, 4, 0, 2, 1, 1], counts, sg, hs, True, 0.1)
    assert np.all(syn0[:, 3:] == 0) and np.all(syn1[:, 3:] == 0)
    assert np.abs(syn0 - before).max() > 0.01
    assert fast.padded_dim(3) == 16 and fast.padded_dim(100) == 112 and fast.padded_dim(128) == 128
    w0, w1 = fast.init_weights(5, Word2VecConfig(dim=3, hs=hs))
    assert w0.shape == (5, 16) and np.all(w0[:, 3:] == 0) and np.all(w1 == 0) and w1.shape[0] == (4 if hs else 5)
    assert w0.ctypes.data % 64 == 0 and w1.ctypes.data % 64 == 0
    assert np.abs(w0[:, :3]).max() < 1 / 3 and np.abs(w0[:, :3]).max() > 0.5 / 3  # gensim's ±1/d, not ±0.5/d


def test_hot_row_merge_adds_every_threads_updates():
    """Oracle: hogwild's sum. Two threads each start from the shared hot rows, make their own updates, and merge:
    the shared rows must end as start + both updates, and each thread's copy and snapshot as the shared rows then."""
    rng = np.random.default_rng(3)
    K, R, d = 3, 5, 16
    syn1 = np.zeros((R + 2 * K, d), np.float32)
    syn1[:R] = rng.normal(size=(R, d))
    start = syn1[:R].copy()
    snaps = [np.zeros((K, d), np.float32) for _ in range(2)]
    for t in range(2):
        fast._sync_hot(syn1, K, R + t * K, snaps[t])  # a job's start: copy in
    np.testing.assert_array_equal(syn1[R : R + K], start[:K])
    d0, d1 = rng.normal(size=(K, d)).astype(np.float32), rng.normal(size=(K, d)).astype(np.float32)
    syn1[R : R + K] += d0
    syn1[R + K :] += d1
    syn1[K:R] += 1.0  # a cold row, updated in place: the merge leaves it alone
    fast._sync_hot(syn1, K, R, snaps[0])
    fast._sync_hot(syn1, K, R + K, snaps[1])
    np.testing.assert_allclose(syn1[:K], start[:K] + d0 + d1, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(syn1[K:R], start[K:R] + 1.0)
    np.testing.assert_array_equal(syn1[R + K :], syn1[:K])
    np.testing.assert_array_equal(snaps[1], syn1[:K])
    np.testing.assert_allclose(syn1[R : R + K], start[:K] + d0, rtol=1e-5, atol=1e-5)  # thread 0 sees d1 next merge


def test_huffman_nodes_are_numbered_root_first():
    """The hot rows are 0..K-1 only if node ids grow with depth: every path starts at node 0 and the j-th node of
    any path has an id no larger than any node deeper than j."""
    counts = np.array([400, 300, 120, 80, 60, 30, 9, 5, 3, 2, 1])
    cfg = Word2VecConfig(hs=True, min_count=1)
    sents = [[f"w{i}"] * int(c) for i, c in enumerate(counts)]
    data = prepare([s + ["w0"] for s in sents], cfg)
    tab = fast._Tables(data, cfg)
    pts, L = tab.points, tab.code_len
    assert np.all(pts[:, 0] == 0)
    depth = np.full(len(data.vocab) - 1, 99)
    for w in range(len(data.vocab)):
        for j in range(L[w]):
            depth[pts[w, j]] = min(depth[pts[w, j]], j)
    used = pts[L[:, None] > np.arange(pts.shape[1])]
    assert np.all(np.diff(depth) >= 0) and sorted(set(used.tolist())) == list(range(depth.size))


def test_alias_table_is_exact():
    """Oracle: the distribution the alias tables encode, summed in closed form, equals p (to 2^-32 per bucket)."""
    p = noise_distribution(np.array([500, 310, 200, 90, 40, 20, 10, 3, 1]))
    alias, thr = fast.alias_table(p)
    V = p.size
    keep = thr / 2.0**32
    q = keep / V
    np.add.at(q, alias, (1 - keep) / V)
    np.testing.assert_allclose(q, p, atol=1e-9)


def test_negative_draws_follow_unigram_075():
    """Oracle: chi-square against count^0.75 / Σ count^0.75 (and it must reject the raw unigram)."""
    from scipy.stats import chisquare

    counts = np.array([50, 31, 20, 9, 4, 2, 1])
    draws = fast.sample_negatives(*fast.alias_table(noise_distribution(counts)), 50_000, 12345)
    observed = np.bincount(draws, minlength=7)
    assert chisquare(observed, noise_distribution(counts) * draws.size).pvalue > 1e-3
    assert chisquare(observed, noise_distribution(counts, 1.0) * draws.size).pvalue < 1e-6


def test_job_plan_covers_each_epoch_once_with_falling_lr():
    starts = np.r_[0, np.cumsum(np.random.default_rng(0).integers(1, 40, size=500))]
    plan = fast.job_plan(starts, epochs=3, lr=0.025, job_words=1000)
    lo, hi, a0, a1 = plan.T
    per = len(plan) // 3
    for e in range(3):
        ep = plan[e * per : (e + 1) * per]
        assert ep[0, 0] == 0 and ep[-1, 1] == 500 and np.all(ep[1:, 0] == ep[:-1, 1])
    words = (starts[hi.astype(int)] - starts[lo.astype(int)]).reshape(3, per)
    assert np.all(np.abs(words[:, :-1] - 1000) < 40)  # a job ends at the first sentence boundary past 1000 words
    assert np.all(np.diff(np.r_[a0]) <= 0) and np.all(a1 <= a0)
    assert a0[0] == pytest.approx(0.025) and a1[-1] == pytest.approx(0.025 * 1e-4, rel=0.05)


def test_stopping_early_joins_the_threads():
    from test_word2vec import _cluster_corpus

    _, sents = _cluster_corpus(n=2000)
    cfg = Word2VecConfig(sg=True, hs=True, dim=32, window=5, epochs=50, sample=0, seed=0)
    before = threading.active_count()
    res = fast.fit_word2vec_fast(sents, cfg, workers=2, max_seconds=0.0)
    assert res.status == "capped" and len(res.losses) == 1
    assert threading.active_count() == before
