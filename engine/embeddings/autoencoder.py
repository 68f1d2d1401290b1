"""A one-hidden-layer autoencoder on the rows of a matrix, to set against truncated SVD (misc-05).

linear:  x -> x E D            (no biases: the same family as rank-k factorizations, so it can at best reach
                                the SVD error sum_{i>k} s_i^2 — Eckart-Young; Baldi & Hornik 1989)
relu:    x -> relu(x E + a) D + c   (a non-linear combination of the inputs, which a linear method cannot make)

Trained full-batch with Adam on the summed squared reconstruction error ||M - M_hat||_F^2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
from torch import nn

from engine.core.train import Progress

ACTIVATIONS = ("linear", "relu")


@dataclass(frozen=True)
class AutoencoderConfig:
    k: int = 10  # bottleneck width (the rank SVD is compared at)
    activation: str = "linear"
    lr: float = 0.01
    steps: int = 500
    seed: int = 0

    def validate(self, n_features: int) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}")
        if not 1 <= self.k <= n_features:
            raise ValueError(f"the bottleneck k must be between 1 and {n_features}")
        if not (0 < self.lr <= 1 and math.isfinite(self.lr)):
            raise ValueError("the learning rate must be in (0, 1]")
        if not 1 <= self.steps <= 100_000:
            raise ValueError("steps must be between 1 and 100000")


class Autoencoder(nn.Module):
    def __init__(self, n_features: int, cfg: AutoencoderConfig):
        super().__init__()
        g = torch.Generator().manual_seed(cfg.seed)
        scale = 1.0 / math.sqrt(n_features)
        self.E = nn.Parameter(torch.randn(n_features, cfg.k, generator=g) * scale)  # (m, k)
        self.D = nn.Parameter(torch.randn(cfg.k, n_features, generator=g) * scale)  # (k, m)
        self.relu = cfg.activation == "relu"
        if self.relu:
            self.a = nn.Parameter(torch.zeros(cfg.k))
            self.c = nn.Parameter(torch.zeros(n_features))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (n, m) -> reconstruction (n, m) and the summed squared error."""
        if self.relu:
            out = torch.relu(x @ self.E + self.a) @ self.D + self.c
        else:
            out = x @ self.E @ self.D
        return out, ((out - x) ** 2).sum()


def train_autoencoder(model: Autoencoder, M: np.ndarray, cfg: AutoencoderConfig) -> Iterator[Progress]:
    """Full-batch Adam; yields the reconstruction error ||M - M_hat||_F^2 after each step."""
    cfg.validate(M.shape[1])
    x = torch.as_tensor(np.asarray(M, dtype=np.float32))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for step in range(cfg.steps):
        opt.zero_grad()
        _, loss = model(x)
        loss.backward()
        opt.step()
        value = float(loss.detach())
        if not math.isfinite(value):
            raise FloatingPointError("the loss diverged (inf/NaN): lower the learning rate")
        yield Progress(step + 1, cfg.steps, value, {})


@torch.no_grad()
def reconstruction_error(model: Autoencoder, M: np.ndarray) -> float:
    _, loss = model(torch.as_tensor(np.asarray(M, dtype=np.float32)))
    return float(loss)
