"""LSA-style word vectors: a truncated SVD of a transformed co-occurrence matrix.

The count-based baseline GloVe is compared with: build the same X as GloVe (engine.embeddings.glove.cooccurrence), turn it
into log(1 + X) or positive PMI, and keep the top-k singular triplets M ~ U_k diag(s_k) V_k^T. Word vectors are
U_k * s_k. The Eckart-Young theorem says this is the best rank-k approximation in Frobenius norm, with error
||M - M_k||_F^2 = sum_{i > k} s_i^2 — the bar any linear factorization (or linear autoencoder) can only reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import svds

TRANSFORMS = ("log", "ppmi")


def log_counts(X: sp.spmatrix) -> sp.csr_matrix:
    """log(1 + X) entry-wise (keeps zeros at zero, so the matrix stays sparse)."""
    M = sp.csr_matrix(X, dtype=np.float64, copy=True)
    M.data = np.log1p(M.data)
    return M


def ppmi(X: sp.spmatrix) -> sp.csr_matrix:
    """Positive PMI: max(0, log(X_ij * N / (X_i * X_j))) with N = sum X; zero rows/columns stay zero."""
    M = sp.coo_matrix(X, dtype=np.float64)
    total = M.sum()
    if total <= 0:
        return sp.csr_matrix(M.shape, dtype=np.float64)
    row = np.asarray(X.sum(axis=1)).ravel()
    col = np.asarray(X.sum(axis=0)).ravel()
    keep = M.data > 0
    r, c, v = M.row[keep], M.col[keep], M.data[keep]
    pmi = np.log(v * total / (row[r] * col[c]))
    pos = pmi > 0
    return sp.csr_matrix((pmi[pos], (r[pos], c[pos])), shape=M.shape)


def transform(X: sp.spmatrix, kind: str) -> sp.csr_matrix:
    if kind == "log":
        return log_counts(X)
    if kind == "ppmi":
        return ppmi(X)
    raise ValueError(f"unknown transform {kind!r}")


@dataclass(frozen=True)
class SVDResult:
    U: np.ndarray  # (V, k) orthonormal columns
    s: np.ndarray  # (k,) singular values, descending
    Vt: np.ndarray  # (k, V) orthonormal rows

    @property
    def vectors(self) -> np.ndarray:
        """Word vectors U_k diag(s_k) (V, k)."""
        return (self.U * self.s).astype(np.float32)


def truncated_svd(M: sp.spmatrix | np.ndarray, k: int, seed: int = 0) -> SVDResult:
    """Top-k singular triplets, descending, with a deterministic sign (largest |U| entry of each column > 0)."""
    n = min(M.shape)
    if not 1 <= k <= n:
        raise ValueError(f"the rank k must be between 1 and {n}")
    if k >= n - 1 or n <= 300:
        # small matrix (or ARPACK's k < n limit): a full dense SVD is exact and cheap
        U, s, Vt = np.linalg.svd(
            M.toarray() if sp.issparse(M) else np.asarray(M, dtype=np.float64), full_matrices=False
        )
        U, s, Vt = U[:, :k], s[:k], Vt[:k]
    else:
        v0 = np.random.default_rng(seed).uniform(-1, 1, n)
        U, s, Vt = svds(sp.csr_matrix(M, dtype=np.float64), k=k, v0=v0)
        order = np.argsort(-s)
        U, s, Vt = U[:, order], s[order], Vt[order]
    flip = np.sign(U[np.abs(U).argmax(axis=0), np.arange(U.shape[1])])
    flip[flip == 0] = 1
    return SVDResult(U * flip, s, Vt * flip[:, None])


def lsa_vectors(X: sp.spmatrix, k: int, kind: str = "ppmi", seed: int = 0) -> np.ndarray:
    """Word vectors (V, k) from the truncated SVD of transform(X)."""
    return truncated_svd(transform(X, kind), k, seed).vectors


def reconstruction_error(M: sp.spmatrix | np.ndarray, res: SVDResult) -> float:
    """||M - U_k diag(s_k) V_k^T||_F^2."""
    dense = M.toarray() if sp.issparse(M) else np.asarray(M)
    return float(((dense - (res.U * res.s) @ res.Vt) ** 2).sum())


def top_ppmi(X: sp.spmatrix, n: int) -> np.ndarray:
    """Dense PPMI of the co-occurrences among the n most frequent words (ids 0..n-1: vocabularies are sorted)."""
    n = max(1, min(n, X.shape[0]))
    return ppmi(sp.csr_matrix(X)[:n][:, :n]).toarray()


def rank_k_error(M: np.ndarray, k: int) -> tuple[float, float]:
    """(sum_{i>k} s_i^2, ||M||_F^2): the best rank-k reconstruction error (Eckart-Young) and the total energy."""
    s = np.linalg.svd(np.asarray(M, dtype=np.float64), compute_uv=False)
    return float((s[k:] ** 2).sum()), float((s**2).sum())
