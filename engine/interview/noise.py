"""Training on labels you know are wrong: label smoothing and class weights (misc-11).

A 3-class toy (Gaussian blobs in 2-D). A known share of one class's training labels is flipped to the others.
Two knobs from the question:

    label smoothing    target q = (1 - eps) * onehot(y) + eps / K      (eps set from the known error rate)
    class weights      w_c scales the loss of examples labelled c       (down-weight the class you distrust)

`smoothed_cross_entropy` is written out by hand; tests check it against
torch.nn.CrossEntropyLoss(weight=w, label_smoothing=eps), whose weighted form is
    loss_i = (1 - eps) w_{y_i} (-log p_{y_i}) + (eps / K) sum_c w_c (-log p_c),  mean = sum_i loss_i / sum_i w_{y_i}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.train import Progress

K = 3


class NoiseInputError(InputError):
    """Settings the label-noise lab cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class NoiseConfig(Checked):
    error = NoiseInputError
    noise: float = 0.3  # share of the noisy class's training labels that are wrong
    noisy_class: int = 2
    eps: float = 0.0  # label smoothing
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0)
    n_train: int = 300
    spread: float = 1.0  # blob standard deviation (overlap)
    hidden: int = 16
    steps: int = 150
    lr: float = 0.05
    seed: int = 0

    def checks(self):
        yield finite(self.noise) and 0 <= self.noise <= 1, "noise", "the noise rate must be between 0 and 1"
        yield finite(self.eps) and 0 <= self.eps < 1, "eps", "label smoothing must be in [0, 1)"
        yield (
            len(self.weights) == K and all(finite(w) and 0 <= w <= 100 for w in self.weights) and sum(self.weights) > 0,
            "weights",
            "class weights must be between 0 and 100, not all 0",
        )
        yield (
            self.n_train >= K and self.steps >= 1 and self.hidden >= 1 and finite(self.lr) and 0 < self.lr <= 10,
            "size",
            "sizes must be positive and the learning rate in (0, 10]",
        )
        yield self.noisy_class in range(K), "class", "unknown class"
        yield finite(self.spread) and self.spread >= 0, "spread", "the spread must be >= 0"


CENTRES = torch.tensor([[0.0, 2.0], [-1.8, -1.0], [1.8, -1.0]])


@dataclass(frozen=True)
class NoisyData:
    x: torch.Tensor  # (n, 2)
    y_noisy: torch.Tensor  # (n,) the labels we train on
    y_true: torch.Tensor  # (n,)
    x_test: torch.Tensor  # clean test set
    y_test: torch.Tensor


def make_data(cfg: NoiseConfig) -> NoisyData:
    cfg.validate()
    g = generator(cfg.seed)

    def blobs(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.arange(n) % K
        return CENTRES[y] + cfg.spread * torch.randn(n, 2, generator=g), y

    x, y = blobs(cfg.n_train)
    xt, yt = blobs(900)
    flip = (y == cfg.noisy_class) & (torch.rand(len(y), generator=g) < cfg.noise)
    shift = torch.randint(1, K, (len(y),), generator=g)  # to one of the other classes
    y_noisy = torch.where(flip, (y + shift) % K, y)
    return NoisyData(x, y_noisy, y, xt, yt)


def smoothed_targets(y: torch.Tensor, eps: float) -> torch.Tensor:
    return (1 - eps) * nn.functional.one_hot(y, K).float() + eps / K


def smoothed_cross_entropy(
    logits: torch.Tensor, y: torch.Tensor, eps: float, weight: torch.Tensor | None = None
) -> torch.Tensor:
    logp = torch.log_softmax(logits, dim=-1)  # (n, K)
    w = torch.ones(K) if weight is None else weight
    nll = -logp.gather(1, y[:, None])[:, 0] * w[y]  # (n,)
    smooth = -(logp * w).sum(dim=1) / K  # (n,)
    return ((1 - eps) * nll + eps * smooth).sum() / w[y].sum()


class Classifier(nn.Module):
    def __init__(self, cfg: NoiseConfig):
        super().__init__()
        cfg.validate()
        with seeded(cfg.seed + 1):  # nn.Linear's own init, never the global RNG (overwritten just below)
            self.net = nn.Sequential(nn.Linear(2, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, K))
        g = generator(cfg.seed + 1)
        with torch.no_grad():
            for p in self.net.parameters():
                p.copy_(torch.randn(p.shape, generator=g) * (0.5 if p.dim() > 1 else 0.0))
        self.cfg = cfg

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None):
        logits = self.net(x)
        loss = None
        if y is not None:
            loss = smoothed_cross_entropy(logits, y, self.cfg.eps, torch.tensor(self.cfg.weights))
        return logits, loss


def train_classifier(model: Classifier, data: NoisyData) -> Iterator[Progress]:
    """Full-batch Adam on the noisy labels; every step the clean-test accuracy ("acc")."""
    cfg = model.cfg
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for step in range(cfg.steps):
        opt.zero_grad(set_to_none=True)
        _, loss = model(data.x, data.y_noisy)
        loss.backward()
        opt.step()
        with torch.no_grad():
            acc = float((model(data.x_test)[0].argmax(-1) == data.y_test).float().mean())
        yield Progress(step + 1, cfg.steps, float(loss.detach()), {"acc": acc})


@torch.no_grad()
def evaluate(model: Classifier, data: NoisyData, n_bins: int = 10) -> dict:
    """Clean-test accuracy, per-class recall, and the reliability diagram (confidence vs accuracy per bin)."""
    probs = torch.softmax(model(data.x_test)[0], dim=-1)
    conf, pred = probs.max(dim=-1)
    right = (pred == data.y_test).float()
    recall = [float(right[data.y_test == c].mean()) for c in range(K)]
    edges = np.linspace(0, 1, n_bins + 1)
    bins = []
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            c, a = float(conf[sel].mean()), float(right[sel].mean())
            bins.append({"lo": float(lo), "hi": float(hi), "confidence": c, "accuracy": a, "n": int(sel.sum())})
            ece += abs(c - a) * int(sel.sum()) / len(conf)
    return {
        "accuracy": float(right.mean()),
        "recall": recall,
        "bins": bins,
        "ece": ece,
        "mean_confidence": float(conf.mean()),
    }
