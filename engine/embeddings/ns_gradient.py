"""Which output vectors one training example touches (w2v-05): full softmax vs negative sampling.

For a centre vector v_c (d,) and output matrix U (V, d):
    softmax:  L = −log softmax(U v_c)[o]                   → ∂L/∂u_w = (p_w − 1[w = o]) v_c   for EVERY w
    NS:       L = −log σ(u_oᵀv_c) − Σ_k log σ(−u_kᵀv_c)     → ∂L/∂u_w ≠ 0 only for o and the k drawn negatives
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def output_gradient(
    U: np.ndarray, v_c: np.ndarray, target: int, negatives: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """(∂L/∂U as a (V, d) array, L). negatives=None → full softmax; else the NS loss with those ids."""
    u = torch.tensor(U, dtype=torch.float64, requires_grad=True)  # (V, d)
    v = torch.tensor(v_c, dtype=torch.float64)  # (d,)
    if negatives is None:
        loss = F.cross_entropy((u @ v)[None], torch.tensor([target]))
    else:
        neg = torch.as_tensor(np.asarray(negatives, dtype=np.int64))
        loss = -F.logsigmoid(u[target] @ v) - F.logsigmoid(-(u[neg] @ v)).sum()
    loss.backward()
    return u.grad.numpy(), float(loss.detach())


def touched_rows(grad: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """Ids of the output vectors a step would change (rows with a non-zero gradient)."""
    return np.flatnonzero(np.abs(grad).max(axis=1) > tol)
