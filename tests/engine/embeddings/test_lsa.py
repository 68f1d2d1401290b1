"""LSA (truncated SVD of log / PPMI counts) and the misc-05 autoencoder, against numpy.linalg.svd,
the Eckart-Young error and brute-force PPMI."""

import numpy as np
import pytest
import scipy.sparse as sp

from engine.core.train import run
from engine.embeddings.autoencoder import Autoencoder, AutoencoderConfig, train_autoencoder
from engine.embeddings.autoencoder import reconstruction_error as ae_error
from engine.embeddings.glove import cooccurrence
from engine.embeddings.lsa import (
    log_counts,
    lsa_vectors,
    ppmi,
    rank_k_error,
    reconstruction_error,
    top_ppmi,
    transform,
    truncated_svd,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _X(V=40, seed=0):
    rng = np.random.default_rng(seed)
    return cooccurrence([rng.integers(0, V, size=15) for _ in range(200)], V, 4)


def test_ppmi_equals_brute_force():
    """Oracle: the PPMI formula evaluated entry by entry on the dense matrix."""
    X = _X()
    D = X.toarray()
    N, r, c = D.sum(), D.sum(1), D.sum(0)
    ref = np.zeros_like(D)
    for i in range(D.shape[0]):
        for j in range(D.shape[1]):
            if D[i, j] > 0:
                ref[i, j] = max(0.0, np.log(D[i, j] * N / (r[i] * c[j])))
    np.testing.assert_allclose(ppmi(X).toarray(), ref, atol=1e-12)
    np.testing.assert_allclose(log_counts(X).toarray(), np.log1p(D))
    assert ppmi(sp.csr_matrix((3, 3))).nnz == 0
    with pytest.raises(ValueError):
        transform(X, "tfidf")


@pytest.mark.parametrize("V", [40, 400])  # dense path and ARPACK path
def test_truncated_svd_equals_numpy_rank_k(V):
    """Oracle: numpy.linalg.svd, top k, up to the sign of each component; components orthonormal."""
    M = ppmi(_X(V, seed=1))
    k = 8
    res = truncated_svd(M, k, seed=0)
    U, s, Vt = np.linalg.svd(M.toarray())
    np.testing.assert_allclose(res.s, s[:k], rtol=1e-8)
    for a in range(k):
        sign = np.sign(res.U[:, a] @ U[:, a])
        np.testing.assert_allclose(res.U[:, a], sign * U[:, a], atol=1e-6)
        np.testing.assert_allclose(res.Vt[a], sign * Vt[a], atol=1e-6)
    np.testing.assert_allclose(res.U.T @ res.U, np.eye(k), atol=1e-8)
    np.testing.assert_allclose(res.Vt @ res.Vt.T, np.eye(k), atol=1e-8)
    # Eckart-Young: the rank-k error is the energy of the dropped singular values
    assert reconstruction_error(M, res) == pytest.approx((s[k:] ** 2).sum(), rel=1e-6)
    assert lsa_vectors(_X(V, seed=1), k).shape == (V, k)


def test_truncated_svd_bad_rank():
    M = ppmi(_X())
    for k in (0, 41):
        with pytest.raises(ValueError):
            truncated_svd(M, k)


def test_linear_autoencoder_reaches_svd_error_but_not_below():
    """Oracle: Eckart-Young. A bias-free linear autoencoder of width k ends >= sum_{i>k} s_i^2 and, trained,
    within 2% of it (misc-05)."""
    M = ppmi(_X(30, seed=2)).toarray()
    k = 5
    s = np.linalg.svd(M, compute_uv=False)
    svd_err = float((s[k:] ** 2).sum())
    cfg = AutoencoderConfig(k=k, activation="linear", lr=0.02, steps=1500, seed=0)
    model = Autoencoder(M.shape[1], cfg)
    hist = run(train_autoencoder(model, M, cfg)).history
    err = ae_error(model, M)
    assert err >= svd_err * (1 - 1e-4)
    assert err <= svd_err * 1.02
    assert hist[0].loss > hist[-1].loss


def test_relu_autoencoder_trains_and_bad_settings():
    M = ppmi(_X(30, seed=3)).toarray()
    cfg = AutoencoderConfig(k=4, activation="relu", steps=50)
    model = Autoencoder(M.shape[1], cfg)
    hist = run(train_autoencoder(model, M, cfg)).history
    assert hist[-1].loss < hist[0].loss
    for bad in (dict(k=0), dict(k=31), dict(activation="tanh"), dict(lr=5.0), dict(steps=0)):
        c = AutoencoderConfig(**{**dict(k=4), **bad})
        with pytest.raises(ValueError):
            next(iter(train_autoencoder(Autoencoder(30, AutoencoderConfig(k=4)), M, c)))


def test_top_ppmi_and_rank_k_error():
    """Oracle: PPMI of the dense top-left block; the error of numpy's rank-k reconstruction."""
    X = _X(40, seed=4)
    M = top_ppmi(X, 12)
    np.testing.assert_allclose(M, ppmi(sp.csr_matrix(X.toarray()[:12, :12])).toarray())
    U, s, Vt = np.linalg.svd(M)
    err, total = rank_k_error(M, 3)
    assert err == pytest.approx(float(((M - (U[:, :3] * s[:3]) @ Vt[:3]) ** 2).sum()), rel=1e-8)
    assert total == pytest.approx(float((M**2).sum()))
