"""w2v-05: negative sampling changes only the k+1 sampled output vectors; a full softmax changes all V.
Oracles: the closed-form losses and the closed-form softmax gradient (p − onehot) v_cᵀ."""

import numpy as np

from engine.embeddings.ns_gradient import output_gradient, touched_rows


def _case(V=30, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(V, d)), rng.normal(size=d)


def test_ns_touches_exactly_target_and_negatives():
    U, v = _case()
    neg = np.array([3, 7, 7, 12, 25])  # a repeated negative is one row
    grad, _ = output_gradient(U, v, 0, neg)
    assert set(touched_rows(grad)) == {0, 3, 7, 12, 25}


def test_softmax_touches_every_row_with_the_closed_form_gradient():
    U, v = _case()
    grad, loss = output_gradient(U, v, 4)
    assert touched_rows(grad).size == U.shape[0]
    z = U @ v
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    onehot = np.eye(U.shape[0])[4]
    np.testing.assert_allclose(grad, np.outer(p - onehot, v), atol=1e-12)
    assert np.isclose(loss, -np.log(p[4]))


def test_ns_loss_closed_form():
    U, v = _case(seed=1)
    neg = np.array([5, 9])
    _, loss = output_gradient(U, v, 2, neg)
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    expected = -np.log(sig(U[2] @ v)) - np.log(sig(-U[5] @ v)) - np.log(sig(-U[9] @ v))
    assert np.isclose(loss, expected)
