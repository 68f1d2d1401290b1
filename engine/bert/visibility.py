"""Who can see whom: the attention patterns behind ELMo, GPT and BERT, checked by autograd.

- GPT (a Transformer decoder): position i attends to j <= i (lower-triangular mask).
- ELMo: a forward LM (j <= i) and a separate backward LM (j >= i); the two are only concatenated at the top, so
  no layer mixes both sides.
- BERT (a Transformer encoder): every position attends to every position in every layer, "deeply bidirectional".
  Without masking its output at i would also see the very word it must predict (label leakage), hence the MLM.

`dependency` measures the pattern instead of trusting it: it builds a small random attention stack with the
given mask and asks autograd whether output i changes with input j.
"""

from __future__ import annotations

import numpy as np
import torch

from engine.core.seeding import generator

KINDS = ("bert", "gpt", "elmo_fwd", "elmo_bwd", "elmo")


def mask_matrix(kind: str, n: int) -> np.ndarray:
    """(n, n) bool: may position i (row) attend to / depend on position j (column)."""
    full = np.ones((n, n), dtype=bool)
    if kind == "bert":
        return full
    if kind in ("gpt", "elmo_fwd"):
        return np.tril(full)
    if kind == "elmo_bwd":
        return np.triu(full)
    if kind == "elmo":  # concatenation [fwd_i ; bwd_i]: the union of both sides, but never in one layer
        return np.tril(full) | np.triu(full)
    raise ValueError(f"kind must be one of {KINDS}")


def _stack(x: torch.Tensor, allowed: torch.Tensor, weights: list[tuple[torch.Tensor, ...]]) -> torch.Tensor:
    h = x  # (n, d)
    for wq, wk, wv in weights:
        scores = (h @ wq) @ (h @ wk).T  # (n, n)
        scores = scores.masked_fill(~allowed, float("-inf"))
        h = h + torch.tanh(scores.softmax(-1) @ (h @ wv))
    return h


def dependency(kind: str, n: int, layers: int = 2, d: int = 8, seed: int = 0) -> np.ndarray:
    """(n, n) bool from autograd: does output i depend on input j, for a random `layers`-deep attention stack."""
    if not (1 <= n <= 64 and 1 <= layers <= 12):
        raise ValueError("n must be in 1..64 and layers in 1..12")
    g = generator(seed)
    w = lambda: torch.randn(d, d, generator=g, dtype=torch.float64) / d**0.5  # noqa: E731
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    fwd = [(w(), w(), w()) for _ in range(layers)]
    bwd = [(w(), w(), w()) for _ in range(layers)]

    def model(inp: torch.Tensor) -> torch.Tensor:
        if kind == "elmo":  # two separate one-way stacks, concatenated at the top
            return torch.cat(
                [
                    _stack(inp, torch.tensor(mask_matrix("elmo_fwd", n)), fwd),
                    _stack(inp, torch.tensor(mask_matrix("elmo_bwd", n)), bwd),
                ],
                dim=-1,
            )
        return _stack(inp, torch.tensor(mask_matrix(kind, n)), fwd)

    jac = torch.autograd.functional.jacobian(model, x)  # (n, d_out, n, d)
    return (jac.abs().sum(dim=(1, 3)) > 1e-12).numpy()


def halves_dependency(n: int, layers: int = 1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """ELMo's two halves separately: (forward half's dependency, backward half's dependency)."""
    return dependency("elmo_fwd", n, layers, seed=seed), dependency("elmo_bwd", n, layers, seed=seed)
