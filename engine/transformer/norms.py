"""BatchNorm vs LayerNorm on a padded (B, T, C) batch, and what Add & Norm does to a deep stack.

BatchNorm: one mean/variance per channel c, taken over every (sample, position) of the batch — padding included,
and different batch mates give different statistics. LayerNorm: one mean/variance per token, over its C
features — it never looks at other samples, so it is the same at train and test time and for batch size 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator

EPS = 1e-5  # torch's default for both norms


class NormInputError(InputError):
    """Settings the normalisation demo cannot use; `.code` names the reason."""


@dataclass(frozen=True)
class NormConfig(Checked):
    error = NormInputError
    batch: int = 4
    seq_len: int = 6
    channels: int = 8
    pad_ratio: float = 0.3  # share of positions (beyond the first) that are padding
    seed: int = 0

    def checks(self):
        yield 1 <= self.batch <= 256, "batch", "batch must be between 1 and 256"
        yield (
            1 <= self.seq_len <= 128 and 1 <= self.channels <= 256,
            "size",
            "sequence length must be in 1..128 and channels in 1..256",
        )
        yield finite(self.pad_ratio) and 0.0 <= self.pad_ratio < 1.0, "pad_ratio", "padding ratio must be in [0, 1)"


def padded_batch(cfg: NormConfig, gen: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """x (B, T, C) with features ~ N(μ_c, σ_c) per channel and zeros at padding; mask (B, T), True = real token.
    Every sample keeps at least its first position."""
    cfg.validate()
    gen = gen or generator(cfg.seed)
    mu = torch.randn(cfg.channels, generator=gen) * 2.0
    sigma = torch.rand(cfg.channels, generator=gen) * 2.0 + 0.5
    x = torch.randn(cfg.batch, cfg.seq_len, cfg.channels, generator=gen) * sigma + mu
    lengths = (
        cfg.seq_len
        - torch.binomial(
            torch.full((cfg.batch,), float(cfg.seq_len - 1)), torch.full((cfg.batch,), cfg.pad_ratio), generator=gen
        ).long()
    )
    mask = torch.arange(cfg.seq_len)[None, :] < lengths[:, None]
    return x * mask[..., None], mask


def batch_norm(x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training-mode BN without affine: statistics per channel over (B, T). With `mask`, padding is left out
    of the statistics (what a careful implementation would need); without, it counts like real data.
    Returns (normalised x, mean (C,), biased var (C,))."""
    if mask is None:
        flat = x.reshape(-1, x.size(-1))  # (B·T, C)
    else:
        flat = x[mask]  # (n_real, C)
    mean, var = flat.mean(0), flat.var(0, unbiased=False)
    return (x - mean) / torch.sqrt(var + EPS), mean, var


def layer_norm(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """LN without affine: statistics per token over its C features. Returns (normalised, mean (B,T), var (B,T))."""
    mean, var = x.mean(-1), x.var(-1, unbiased=False)
    return (x - mean[..., None]) / torch.sqrt(var[..., None] + EPS), mean, var


def batch_mate_drift(cfg: NormConfig, n_resamples: int = 20) -> dict[str, float]:
    """Sample 0 stays fixed; its batch mates are redrawn n_resamples times. Returns how much sample 0's
    normalised output moves (mean std over resamples) under BN and under LN. LN: exactly 0."""
    if not 2 <= n_resamples <= 200:
        raise ValueError("n_resamples must be between 2 and 200")
    gen = generator(cfg.seed)
    x0, m0 = padded_batch(cfg, gen)
    bn_out, ln_out = [], []
    for _ in range(n_resamples):
        x, m = padded_batch(cfg, gen)
        x[0], m[0] = x0[0], m0[0]
        bn_out.append(batch_norm(x)[0][0][m0[0]])
        ln_out.append(layer_norm(x)[0][0][m0[0]])
    bn, ln = torch.stack(bn_out), torch.stack(ln_out)  # (R, n_real, C)
    return {"bn": float(bn.std(0).mean()), "ln": float(ln.std(0).mean())}


def depth_profile(
    depth: int, *, d: int = 64, residual: bool = True, norm: str = "post", batch: int = 32, seed: int = 0
) -> dict[str, list[float]]:
    """A stack of `depth` random FFN sub-layers wrapped as Add & Norm (norm: 'post', 'pre' or 'none').
    At initialisation, returns the per-layer activation std and the gradient norm of each layer's first weight
    (loss = a fixed random projection of the output) — the numbers behind 'why residual + LayerNorm'."""
    if not 1 <= depth <= 64 or norm not in ("post", "pre", "none"):
        raise ValueError("depth must be in 1..64 and norm one of post/pre/none")
    gen = generator(seed)
    weights = []
    for _ in range(depth):
        w1 = (torch.randn(d, 4 * d, generator=gen) * math.sqrt(2.0 / d)).requires_grad_()
        w2 = (torch.randn(4 * d, d, generator=gen) * math.sqrt(1.0 / (4 * d))).requires_grad_()
        weights.append((w1, w2))
    x = torch.randn(batch, d, generator=gen)
    stds = []
    for w1, w2 in weights:
        f = lambda h, w1=w1, w2=w2: torch.relu(h @ w1) @ w2
        if norm == "pre":
            x = (x if residual else 0) + f(layer_norm(x)[0])
        else:
            y = (x if residual else 0) + f(x)
            x = layer_norm(y)[0] if norm == "post" else y
        stds.append(float(x.detach().std()))
    probe = torch.randn(batch, d, generator=gen)
    ((x * probe).sum() / batch).backward()
    grads = [float(w1.grad.norm()) for w1, _ in weights]
    return {"std": stds, "grad": grads}
