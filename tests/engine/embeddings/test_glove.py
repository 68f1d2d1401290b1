"""GloVe engine against its oracles: brute-force counting, closed-form f(x), autograd, AdaGrad by hand,
exact fits on tiny vocabularies, and the paper's published ice/steam figures."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from engine.core.corpus import Vocab
from engine.core.train import run
from engine.embeddings.glove import (
    ICE_STEAM,
    GloVe,
    GloveConfig,
    GloveInputError,
    Pairs,
    adagrad_step,
    add_sentences,
    cooccurrence,
    count_corpus,
    extend_counts,
    full_loss,
    gradients,
    model_ratios,
    pair_by_window,
    probabilities,
    ratio_rows,
    self_cosines,
    train_glove,
    weighting,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def brute_force(sentences, V, window, symmetric=True, distance_weighting=True):
    """Oracle: glove.c's double loop, written the slow obvious way."""
    X = np.zeros((V, V))
    for s in sentences:
        for t in range(len(s)):
            for d in range(1, window + 1):
                if t - d < 0:
                    break
                w = 1.0 / d if distance_weighting else 1.0
                X[s[t], s[t - d]] += w
                if symmetric:
                    X[s[t - d], s[t]] += w
    return X


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("distance_weighting", [True, False])
@pytest.mark.parametrize("window", [1, 3, 7])
def test_cooccurrence_equals_brute_force(symmetric, distance_weighting, window):
    """Oracle: brute-force double loop on random token sequences of random lengths (incl. 0 and 1)."""
    rng = np.random.default_rng(window * 4 + symmetric * 2 + distance_weighting)
    V = 13
    sents = [rng.integers(0, V, size=rng.integers(0, 12)) for _ in range(25)]
    X = cooccurrence(sents, V, window, symmetric=symmetric, distance_weighting=distance_weighting)
    assert sp.issparse(X) and X.shape == (V, V)
    np.testing.assert_allclose(
        X.toarray(), brute_force(sents, V, window, symmetric, distance_weighting), rtol=1e-12, atol=1e-12
    )
    if symmetric:
        np.testing.assert_allclose(X.toarray(), X.toarray().T)


def test_cooccurrence_windows_do_not_cross_sentences():
    """Oracle: hand count. Two one-word-apart sentences share nothing."""
    X = cooccurrence([np.array([0, 1]), np.array([2, 3])], 4, window=5)
    assert X[1, 2] == 0 and X[0, 1] == 1 and X[2, 3] == 1
    X = cooccurrence([np.array([0, 1, 2])], 3, window=5)
    assert X[0, 2] == pytest.approx(0.5) and X[0, 1] == 1


def test_cooccurrence_bad_window():
    for w in (0, -1, 10_000):
        with pytest.raises(ValueError):
            cooccurrence([np.array([0, 1])], 2, w)
    assert cooccurrence([], 3, 2).nnz == 0
    assert cooccurrence([np.array([1])], 3, 2).nnz == 0


def test_incremental_counts_equal_rebuild():
    """Oracle: X rebuilt from scratch on all sentences (w2v-07: GloVe recounts, and counts are additive),
    including a vocabulary that grew with the new sentences."""
    rng = np.random.default_rng(3)
    old = [rng.integers(0, 8, size=9) for _ in range(10)]
    new = [rng.integers(0, 11, size=9) for _ in range(6)]
    X_old = cooccurrence(old, 8, 4)
    X_inc = add_sentences(X_old, new, 11, 4)
    X_all = cooccurrence(old + new, 11, 4)
    np.testing.assert_allclose(X_inc.toarray(), X_all.toarray())


def test_weighting_closed_form():
    """Oracle: f(x) = (x/x_max)^alpha below x_max, 1 above; the handbook-style values for x_max=100."""
    assert weighting(0.0) == 0.0
    assert weighting(50.0) == pytest.approx(0.5**0.75)
    assert weighting(100.0) == 1.0 and weighting(1000.0) == 1.0
    assert weighting(1.0) == pytest.approx(0.0316, abs=5e-4)
    assert weighting(10.0) == pytest.approx(0.178, abs=5e-4)
    assert weighting(50.0) == pytest.approx(0.595, abs=5e-4)
    assert weighting(3.0, x_max=6.0, alpha=1.0) == pytest.approx(0.5)
    t = weighting(torch.tensor([0.0, 50.0, 100.0, 1000.0], dtype=torch.float64))
    np.testing.assert_allclose(t.numpy(), [0.0, 0.5**0.75, 1.0, 1.0])
    np.testing.assert_allclose(weighting(np.array([0.0, 50.0, 200.0])), [0.0, 0.5**0.75, 1.0])


def _tiny(seed=0, V=7, dim=4):
    rng = np.random.default_rng(seed)
    X = sp.csr_matrix(rng.integers(0, 150, size=(V, V)) * (rng.random((V, V)) < 0.6), dtype=np.float64)
    return GloVe(V, dim, seed), Pairs.from_matrix(X), X


def test_loss_equals_closed_form_J():
    """Oracle: J = sum f(X)(w.w~ + b + b~ - log X)^2 evaluated with numpy loops over the non-zeros."""
    model, pairs, X = _tiny()
    W, C = model.w.detach().numpy(), model.w_ctx.detach().numpy()
    b, bc = model.b.detach().numpy(), model.b_ctx.detach().numpy()
    J = sum(
        weighting(x) * (W[i] @ C[j] + b[i] + bc[j] - math.log(x)) ** 2
        for i, j, x in zip(pairs.rows, pairs.cols, pairs.vals)
    )
    assert full_loss(model, pairs) == pytest.approx(J, rel=1e-12)


def test_gradients_equal_autograd():
    """Oracle: torch autograd of forward()'s loss, with repeated words inside one batch."""
    model, pairs, _ = _tiny(1)
    rows, cols, x = (torch.from_numpy(a) for a in (pairs.rows, pairs.cols, pairs.vals))
    grads, _ = gradients(model, rows, cols, x, 100.0, 0.75)
    model.zero_grad()
    _, loss = model(rows, cols, x)
    loss.backward()
    for name, p in model.named_parameters():
        idx, rows_grad = grads[name]
        dense = torch.zeros_like(p).index_put_((idx,), rows_grad)
        torch.testing.assert_close(dense, p.grad, rtol=1e-10, atol=1e-12)
        untouched = torch.ones(p.shape[0], dtype=torch.bool)
        untouched[idx] = False
        assert not p.grad[untouched].any()


def test_one_adagrad_step_by_hand():
    """Oracle: glove.c's update for a single pair (i, j, x), written out with numpy."""
    model, _, _ = _tiny(2)
    i, j, x, cfg = 3, 5, 42.0, GloveConfig(dim=4, lr=0.05)
    W, C = model.w.detach().numpy().copy(), model.w_ctx.detach().numpy().copy()
    b, bc = model.b.detach().numpy().copy(), model.b_ctx.detach().numpy().copy()
    diff = W[i] @ C[j] + b[i] + bc[j] - math.log(x)
    fdiff = cfg.lr * (x / 100.0) ** 0.75 * diff  # glove.c: fdiff = f * diff, then *= eta; gradsq starts at 1
    cost = adagrad_step(model, torch.tensor([i]), torch.tensor([j]), torch.tensor([x], dtype=torch.float64), cfg)
    assert cost == pytest.approx(0.5 * (x / 100.0) ** 0.75 * diff**2)
    np.testing.assert_allclose(model.w.detach().numpy()[i], W[i] - fdiff * C[j] / 1.0)
    np.testing.assert_allclose(model.w_ctx.detach().numpy()[j], C[j] - fdiff * W[i] / 1.0)
    assert float(model.b.detach()[i]) == pytest.approx(b[i] - fdiff)
    assert float(model.b_ctx.detach()[j]) == pytest.approx(bc[j] - fdiff)
    np.testing.assert_allclose(model.gradsq["w"].numpy()[i], 1.0 + (fdiff * C[j]) ** 2)
    assert float(model.gradsq["b"][i]) == pytest.approx(1.0 + fdiff**2)
    # untouched rows stay put
    np.testing.assert_array_equal(model.w.detach().numpy()[0], W[0])


def test_exact_fit_when_dim_equals_vocab():
    """Oracle: with d = V the weighted least-squares problem has an exact solution, so J -> ~0; when fit,
    (w_i - w_j).w~_k - log(X_ik / X_jk) is the same for every k (glove-03: ratios are what is learnt)."""
    rng = np.random.default_rng(4)
    V = 10
    X = sp.csr_matrix(rng.integers(1, 60, size=(V, V)).astype(np.float64))  # dense: every ratio defined
    model = GloVe(V, V, seed=0)
    pairs = Pairs.from_matrix(X)
    cfg = GloveConfig(dim=V, lr=0.1, epochs=3000, batch_size=len(pairs), seed=0)
    run(train_glove(model, pairs, cfg))
    assert full_loss(model, pairs) < 1e-3
    W, C = model.w.detach().numpy(), model.w_ctx.detach().numpy()
    Xd = X.toarray()
    gap = (W[0] - W[1]) @ C.T - np.log(Xd[0] / Xd[1])  # (V,) over k
    assert np.ptp(gap) < 0.05
    vocab = Vocab([f"w{a}" for a in range(V)], np.ones(V, dtype=np.int64), {f"w{a}": a for a in range(V)})
    probes = [f"w{a}" for a in range(V)]
    corpus = [r["ratio"] for r in ratio_rows(X, vocab, "w0", "w1", probes)]
    np.testing.assert_allclose(model_ratios(model, X, vocab, "w0", "w1", probes), corpus, rtol=0.03)


def test_transposed_counts_with_swapped_init_swap_the_vectors():
    """Oracle: symmetry of the objective. Training on X^T starting from (w~, w) gives exactly (w~, w)."""
    model, pairs, X = _tiny(5)
    twin = GloVe(7, 4, seed=5)
    with torch.no_grad():
        twin.w.copy_(model.w_ctx), twin.w_ctx.copy_(model.w)
        twin.b.copy_(model.b_ctx), twin.b_ctx.copy_(model.b)
    swapped = Pairs(pairs.cols, pairs.rows, pairs.vals)  # the entries of X^T in the same order
    cfg = GloveConfig(dim=4, epochs=5, batch_size=8, seed=9)
    run(train_glove(model, pairs, cfg))
    run(train_glove(twin, swapped, cfg))
    torch.testing.assert_close(twin.w, model.w_ctx)
    torch.testing.assert_close(twin.w_ctx, model.w)
    torch.testing.assert_close(twin.b, model.b_ctx)


def test_training_lowers_loss_and_pulls_cooccurring_words_together():
    """Oracle: a corpus with two disjoint topics; after training, same-topic words are closer than others."""
    rng = np.random.default_rng(6)
    topic_a, topic_b = np.arange(0, 6), np.arange(6, 12)
    sents = [rng.choice(topic_a if s % 2 else topic_b, size=8) for s in range(300)]
    X = cooccurrence(sents, 12, 3)
    pairs = Pairs.from_matrix(X)
    model = GloVe(12, 8, seed=0)
    before = full_loss(model, pairs)
    hist = run(train_glove(model, pairs, GloveConfig(dim=8, epochs=60, batch_size=32, seed=0))).history
    assert full_loss(model, pairs) < 0.2 * before
    assert hist[-1].loss < hist[0].loss
    assert "epoch_cost" in hist[-1].metrics
    v = model.vectors("sum")
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    sim = v @ v.T
    same = sim[np.ix_(topic_a, topic_a)][~np.eye(6, dtype=bool)].mean()
    cross = sim[np.ix_(topic_a, topic_b)].mean()
    assert same > cross + 0.3


def test_vectors_kinds_and_progress_shape():
    model, pairs, _ = _tiny(7)
    np.testing.assert_allclose(model.vectors("sum"), model.vectors("w") + model.vectors("ctx"), rtol=1e-6)
    with pytest.raises(ValueError):
        model.vectors("nope")
    cfg = GloveConfig(dim=4, epochs=2, batch_size=10)
    hist = run(train_glove(model, pairs, cfg)).history
    assert len(hist) == hist[-1].total == 2 * math.ceil(len(pairs) / 10)


@pytest.mark.parametrize(
    "bad", [dict(dim=0), dict(x_max=0), dict(alpha=-1), dict(lr=1e9), dict(epochs=0), dict(lr=float("nan"))]
)
def test_bad_settings_raise_value_error(bad):
    model, pairs, _ = _tiny()
    with pytest.raises(ValueError):
        next(iter(train_glove(model, pairs, GloveConfig(**bad))))


def test_no_pairs_raise_value_error():
    with pytest.raises(ValueError):
        next(iter(train_glove(GloVe(3, 2), Pairs.from_matrix(sp.csr_matrix((3, 3))), GloveConfig(dim=2))))


def test_probabilities_rows_sum_to_one():
    X = cooccurrence([np.array([0, 1, 2, 1, 0, 3])], 5, 2)
    p = probabilities(X, 1)
    assert p.sum() == pytest.approx(1.0)
    assert probabilities(X, 4).sum() == 0  # a word with no neighbours


def test_ice_steam_ratios_agree_with_rounded_probabilities():
    """Oracle: each published ratio lies in the interval its two rounded (2-significant-digit) probabilities
    allow (e.g. solid: 1.9e-4 / 2.2e-5 = 8.64, interval [8.22, 9.07] contains 8.9)."""
    for pi, pj, r in zip(ICE_STEAM["p_ice"], ICE_STEAM["p_steam"], ICE_STEAM["ratio"]):
        ei, ej = 0.05 * 10 ** math.floor(math.log10(pi)), 0.05 * 10 ** math.floor(math.log10(pj))
        assert (pi - ei) / (pj + ej) <= r <= (pi + ei) / (pj - ej)


def test_count_corpus_and_its_errors():
    sents = [["ice", "is", "solid"], ["steam", "is", "gas"], ["ice", "and", "steam"]]
    c = count_corpus(sents, 2)
    assert len(c.vocab) == 6 and c.X.nnz > 0 and len(c.pairs) == c.X.nnz
    np.testing.assert_allclose(c.X.toarray(), cooccurrence(c.ids, 6, 2).toarray())
    rows = ratio_rows(c.X, c.vocab, "ice", "steam", ["solid", "gas", "is"])
    assert rows[0]["p_j"] == 0 and math.isnan(rows[0]["ratio"])
    assert rows[2]["p_i"] == pytest.approx(1 / 3) and rows[2]["ratio"] == pytest.approx(1.0)  # by hand
    for bad, kw, code in [
        ([], {}, "empty"),
        ([[]], {}, "empty"),
        ([["solo"]], {}, "too_few_words"),
        (sents, dict(window=0), "window"),
        (sents, dict(window=10_000), "window"),
        (sents, dict(min_count=0), "min_count"),
        (sents, dict(min_count=50), "too_few_words"),
        ([["a"], ["b"]], {}, "no_pairs"),
    ]:
        with pytest.raises(GloveInputError) as e:
            count_corpus(bad, **{"window": 2, **kw})
        assert e.value.code == code
    sc = self_cosines(GloVe(7, 3), [0, 1])
    assert sc.shape == (2,) and np.all(np.abs(sc) <= 1 + 1e-9)


@pytest.mark.parametrize("dw", [True, False])
def test_pair_by_window_equals_cooccurrence(dw):
    """Oracle: cooccurrence() rebuilt for every window size."""
    rng = np.random.default_rng(8)
    sents = [rng.integers(0, 5, size=rng.integers(1, 15)) for _ in range(30)]
    curve = pair_by_window(sents, 1, 3, 9, distance_weighting=dw)
    ref = [cooccurrence(sents, 5, w, distance_weighting=dw)[1, 3] for w in range(1, 10)]
    np.testing.assert_allclose(curve, ref)
    same = pair_by_window(sents, 2, 2, 4)  # i == j: X_ii counts both orders, like cooccurrence
    np.testing.assert_allclose(same, [cooccurrence(sents, 5, w)[2, 2] for w in range(1, 5)])


def test_extend_counts_reports_an_exact_update():
    """Oracle: cooccurrence() on old + new sentences."""
    c = count_corpus([["a", "b", "c", "a"], ["b", "c", "d"]], 2)
    new = [np.array([0, 3, 2]), np.array([1, 1])]
    r = extend_counts(c, new)
    assert r["same"] and r["changed"] > 0
    np.testing.assert_allclose(r["X"].toarray(), cooccurrence(c.ids + new, len(c.vocab), 2).toarray())
