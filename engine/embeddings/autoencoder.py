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

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator
from engine.core.train import Progress

ACTIVATIONS = ("linear", "relu")


class AutoencoderInputError(InputError):
    """Settings the autoencoder cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class AutoencoderConfig(Checked):
    error = AutoencoderInputError
    k: int = 10  # bottleneck width (the rank SVD is compared at)
    activation: str = "linear"
    lr: float = 0.01
    steps: int = 500
    seed: int = 0

    def checks(self):
        yield self.activation in ACTIVATIONS, "activation", f"activation must be one of {ACTIVATIONS}"
        yield self.k >= 1, "k", "the bottleneck k must be at least 1"
        yield finite(self.lr) and 0 < self.lr <= 1, "lr", "the learning rate must be in (0, 1]"
        yield 1 <= self.steps <= 100_000, "steps", "steps must be between 1 and 100000"

    def validate_for(self, n_features: int) -> None:
        """validate(), and the bottleneck k must fit the n_features columns it compresses."""
        self.validate()
        if self.k > n_features:
            raise self.error("k", f"the bottleneck k must be between 1 and {n_features}")


class Autoencoder(nn.Module):
    def __init__(self, n_features: int, cfg: AutoencoderConfig):
        super().__init__()
        cfg.validate_for(n_features)
        g = generator(cfg.seed)
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
    cfg.validate_for(M.shape[1])
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
