"""Label leakage (bert-10): why BERT masks tokens instead of training a plain bidirectional encoder as an LM.

The data is a first-order Markov chain over a few states with a known transition matrix P, so the best any
next-token predictor can do is known in closed form: the entropy rate

    H = -sum_s pi_s sum_t P_st log P_st      (nats per token; pi = stationary distribution)

Three same-size tiny Transformers (engine.transformer.tiny_encoder) train on the same chains, round-robin, same steps:
  (a) "leak":   full attention, asked for the NEXT token at every position. x_{i+1} is in its input, so it can
                copy the answer through attention: its loss falls far below H (cheating, not learning).
  (b) "causal": the same task with the causal (lower-triangular) mask: it cannot see x_{i+1}; loss stays >= H.
  (c) "mlm":    full attention, but 15% of positions are replaced by [MASK] and only those are predicted.
                Its floor is H(X_t | X_{t-1}, X_{t+1}) (closed form below; a bit higher when a neighbour is
                masked too) - lower than H because it sees both sides, honestly, without seeing the answer.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress
from engine.transformer.tiny_encoder import IGNORE, EncoderConfig, TinyEncoder

MODES = ("leak", "causal", "mlm")


class LeakInputError(InputError):
    """Bad settings for the leakage lab; `.code` names the i18n message."""


@dataclass(frozen=True)
class LeakConfig(Checked):
    error = LeakInputError
    n_states: int = 6
    concentration: float = 0.4  # Dirichlet parameter of each row of P: small = peaked rows = low entropy rate
    seq_len: int = 16
    d_model: int = 32
    n_heads: int = 2
    n_layers: int = 2
    d_ff: int = 64
    batch_size: int = 32
    steps: int = 300  # per model
    lr: float = 3e-3
    mask_prob: float = 0.15
    eval_every: int = 10
    n_eval: int = 256
    clip_norm: float | None = 1.0
    seed: int = 0

    def checks(self):
        yield 2 <= self.n_states <= 32, "states", "the chain needs 2-32 states"
        yield finite(self.concentration) and 0.01 <= self.concentration <= 100, "concentration", "0.01-100"
        yield 4 <= self.seq_len <= 64, "seq_len", "the length must be between 4 and 64"
        yield 1 <= self.steps <= 20_000 and self.eval_every >= 1, "steps", "steps must be between 1 and 20000"
        yield 1 <= self.batch_size <= 1024, "batch", "the batch must be between 1 and 1024"
        yield finite(self.lr) and 0 < self.lr <= 0.1, "lr", "the learning rate must be in (0, 0.1]"
        yield finite(self.mask_prob) and 0 < self.mask_prob < 1, "mask_prob", "the mask share must be in (0, 1)"
        yield 1 <= self.n_layers <= 4, "layers", "1-4 layers"
        yield 1 <= self.n_heads <= 16, "d_model", "1-16 heads"
        yield (
            4 <= self.d_model <= 256 and self.d_model % self.n_heads == 0,
            "d_model",
            "d_model 4-256, a multiple of the heads",
        )


# ------------------------------------------------------------------------------------- the Markov chain


def transition_matrix(n_states: int, concentration: float, seed: int) -> np.ndarray:
    """(S, S) row-stochastic P, each row drawn from Dirichlet(concentration)."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(n_states, concentration), size=n_states)
    p = np.clip(p, 1e-6, None)  # every transition possible: the chain is irreducible and aperiodic
    return p / p.sum(1, keepdims=True)


def stationary(p: np.ndarray) -> np.ndarray:
    """pi with pi P = pi: the left eigenvector of P for eigenvalue 1."""
    w, v = np.linalg.eig(p.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1.0))])
    return pi / pi.sum()


def entropy_rate(p: np.ndarray) -> float:
    """H = -sum_s pi_s sum_t P_st log P_st (nats per token)."""
    pi = stationary(p)
    return float(-(pi[:, None] * p * np.log(p)).sum())


def both_sides_entropy(p: np.ndarray) -> float:
    """H(X_t | X_{t-1}, X_{t+1}) for the stationary chain: the floor of a masked LM with both neighbours seen.
    P(b | a, c) = P_ab P_bc / sum_b' P_ab' P_b'c."""
    pi = stationary(p)
    joint = pi[:, None, None] * p[:, :, None] * p[None, :, :]  # (a, b, c)
    cond = joint / joint.sum(1, keepdims=True)
    return float(-(joint * np.log(cond)).sum())


def brute_force_rate(p: np.ndarray, n: int = 4) -> float:
    """H(X_1..X_n) - H(X_1..X_{n-1}) by enumerating every sequence: equals H for a stationary Markov chain."""
    pi, s = stationary(p), p.shape[0]

    def joint_entropy(k: int) -> float:
        h = 0.0
        for seq in itertools.product(range(s), repeat=k):
            q = pi[seq[0]] * math.prod(p[a, b] for a, b in zip(seq, seq[1:]))
            h -= q * math.log(q)
        return h

    return joint_entropy(n) - joint_entropy(n - 1)


def sample_chains(p: np.ndarray, n: int, length: int, generator: torch.Generator) -> torch.Tensor:
    """(n, length) state ids, the first drawn from pi, then x_{t+1} ~ P[x_t]."""
    # inverse-CDF sampling: one uniform draw per token, the next state = first cumulative bin above it
    cum = torch.tensor(np.cumsum(p, axis=1), dtype=torch.float64)
    cum[:, -1] = 1.0 + 1e-9
    start = torch.tensor(np.cumsum(np.clip(stationary(p), 0, None)), dtype=torch.float64)
    start[-1] = 1.0 + 1e-9
    u = torch.rand(length, n, 1, generator=generator, dtype=torch.float64)  # u[t] is contiguous (n, 1)
    x = torch.empty(n, length, dtype=torch.long)
    x[:, 0] = torch.searchsorted(start, u[0][:, 0])
    for t in range(1, length):
        x[:, t] = torch.searchsorted(cum[x[:, t - 1]], u[t])[:, 0]
    return x


def monte_carlo_rate(p: np.ndarray, n_steps: int = 200_000, seed: int = 0) -> float:
    """Mean -log P(x_{t+1} | x_t) along one long sampled chain (ergodic theorem: -> H)."""
    x = sample_chains(p, n_steps // 50, 51, generator(seed))
    return float(-np.log(p[x[:, :-1].numpy(), x[:, 1:].numpy()]).mean())


# ------------------------------------------------------------------------------------------ the models


def make_models(cfg: LeakConfig) -> dict[str, TinyEncoder]:
    """Three identical-size networks (same seed, same init); only the mask and the task differ."""
    cfg.validate()
    base = dict(
        vocab_size=cfg.n_states + 1,
        n_out=cfg.n_states,
        d_model=cfg.d_model,
        n_heads=cfg.n_heads,
        n_layers=cfg.n_layers,
        d_ff=cfg.d_ff,
        max_len=cfg.seq_len,
        seed=cfg.seed,
    )
    return {m: TinyEncoder(EncoderConfig(causal=(m == "causal"), **base)) for m in MODES}


def task(
    mode: str, x: torch.Tensor, mask_id: int, mask_prob: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets) for one mode; targets are -100 where nothing is asked."""
    if mode in ("leak", "causal"):  # next token at every position but the last
        targets = torch.full_like(x, IGNORE)
        targets[:, :-1] = x[:, 1:]
        return x, targets
    chosen = torch.rand(x.shape, generator=generator) < mask_prob
    chosen[:, 0] |= ~chosen.any(1)  # at least one target per sequence
    return x.masked_fill(chosen, mask_id), torch.where(chosen, x, torch.full_like(x, IGNORE))


@torch.no_grad()
def evaluate(
    models: dict[str, TinyEncoder], held_out: dict[str, tuple[torch.Tensor, torch.Tensor]]
) -> dict[str, float]:
    out = {}
    for m, model in models.items():
        model.eval()
        out[f"eval_{m}"] = float(model(*held_out[m])[1])
    return out


def train_leak(models: dict[str, TinyEncoder], p: np.ndarray, cfg: LeakConfig) -> Iterator[Progress]:
    """The three models side by side (engine.core.side_by_side): one Adam step of each per yielded step, each on
    its own view of the same fresh batch, gradients clipped to norm 1. Progress.loss = the leaking model's
    training loss; metrics: train_<mode> and at the evaluation steps eval_<mode> (held-out cross-entropy, nats)
    and oracle_next (the true P's loss on the same next tokens)."""
    cfg.validate()
    g = generator(cfg.seed + 1)
    mask_id = cfg.n_states
    hx = sample_chains(p, cfg.n_eval, cfg.seq_len, g)
    held_out = {m: task(m, hx, mask_id, cfg.mask_prob, g) for m in MODES}
    # the true chain's own loss on these held-out next tokens: the sample's floor (H up to sampling noise)
    oracle = float(-np.log(p[hx[:, :-1].numpy(), hx[:, 1:].numpy()]).mean())
    opts = {m: torch.optim.Adam(model.parameters(), lr=cfg.lr) for m, model in models.items()}
    yield from train_side_by_side(
        models,
        opts,
        batch=lambda step: sample_chains(p, cfg.batch_size, cfg.seq_len, g),
        loss=lambda mode, model, x: model(*task(mode, x, mask_id, cfg.mask_prob, g))[1],
        evaluate=lambda: {**evaluate(models, held_out), "oracle_next": oracle},
        steps=cfg.steps,
        eval_every=cfg.eval_every,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 2,
        loss_key="train_{}",
        headline=lambda losses, metrics: losses["leak"],
    )


@torch.no_grad()
def attention_map(model: TinyEncoder, x: torch.Tensor) -> np.ndarray:
    """(layers, T, T) attention weights averaged over heads and over the sequences in x (B, T)."""
    model.eval()
    model(x)
    return model.attention().mean(dim=(1, 2)).numpy()


def next_token_share(att: np.ndarray) -> float:
    """Mean attention weight that position i puts on position i+1 (the answer), over i < T-1."""
    return float(np.diagonal(att, offset=1, axis1=-2, axis2=-1).mean())
