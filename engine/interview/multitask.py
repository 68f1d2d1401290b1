"""Multi-task learning: hard vs soft parameter sharing on two related toy regression tasks (misc-08).

    hard          one shared trunk, one head per task; the loss is L_A + L_B (Caruana 1993)
    soft          two full models, kept close by a penalty:  L_A + L_B + lam * ||theta_A - theta_B||^2
    independent   two full models trained apart (soft with lam = 0 must give exactly the same numbers)

(Ruder 2017's definitions. The handbook words it as "hard = all tasks at once, soft = one at a time"; the page
says so too.) The tasks share most of their true weights; `relatedness` turns how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.train import Progress

MODES = ("hard", "soft", "independent")


@dataclass(frozen=True)
class MultiTaskConfig:
    mode: str = "hard"
    lam: float = 0.1  # soft sharing strength
    n_train: int = 24  # examples per task (few: sharing should help)
    n_features: int = 16
    hidden: int = 16
    relatedness: float = 0.9  # cosine between the two tasks' true weight vectors
    noise: float = 0.3
    steps: int = 200
    lr: float = 0.01
    seed: int = 0

    def validate(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if not (0 <= self.lam <= 1e3 and math.isfinite(self.lam)):
            raise ValueError("lambda must be between 0 and 1000")
        if self.n_train < 2 or self.n_features < 1 or self.hidden < 1 or self.steps < 1:
            raise ValueError("sizes must be positive (at least 2 examples)")
        if not (0 < self.lr <= 1):
            raise ValueError(f"learning rate must be in (0, 1], not {self.lr}")
        if not -1 <= self.relatedness <= 1:
            raise ValueError("relatedness must be between -1 and 1")


@dataclass(frozen=True)
class Tasks:
    x: torch.Tensor  # (2, n_train, d)
    y: torch.Tensor  # (2, n_train)
    x_val: torch.Tensor  # (2, 500, d)
    y_val: torch.Tensor  # (2, 500)


def make_tasks(cfg: MultiTaskConfig) -> Tasks:
    """y_t = tanh(x . w_t) * 2 + noise, with cos(w_A, w_B) = relatedness."""
    cfg.validate()
    g = torch.Generator().manual_seed(cfg.seed)
    d = cfg.n_features
    a = F.normalize(torch.randn(d, generator=g), dim=0)
    o = torch.randn(d, generator=g)
    o = F.normalize(o - (o @ a) * a, dim=0)
    w = torch.stack([a, cfg.relatedness * a + math.sqrt(max(0.0, 1 - cfg.relatedness**2)) * o]) * 2.0

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.randn(2, n, d, generator=g)
        y = 2.0 * torch.tanh(torch.einsum("tnd,td->tn", x, w)) + cfg.noise * torch.randn(2, n, generator=g)
        return x, y

    x, y = draw(cfg.n_train)
    xv, yv = draw(500)
    return Tasks(x, y, xv, yv)


def _mlp(cfg: MultiTaskConfig, g: torch.Generator) -> nn.Sequential:
    net = nn.Sequential(nn.Linear(cfg.n_features, cfg.hidden), nn.Tanh(), nn.Linear(cfg.hidden, 1))
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (0.5 if p.dim() > 1 else 0.0))
    return net


class MultiTaskModel(nn.Module):
    """Hard: trunk = first layer, shared; heads = last layers. Soft/independent: two whole networks."""

    def __init__(self, cfg: MultiTaskConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        g = torch.Generator().manual_seed(cfg.seed + 1)
        self.nets = nn.ModuleList([_mlp(cfg, g), _mlp(cfg, g)])
        if cfg.mode == "hard":
            self.nets[1][0] = self.nets[0][0]  # the same trunk object for both tasks

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None):
        pred = torch.stack([self.nets[t](x[t])[:, 0] for t in range(2)])  # (2, n)
        loss = None if y is None else ((pred - y) ** 2).mean(dim=1)  # per-task MSE, (2,)
        return pred, loss

    def distance(self) -> float:
        """||theta_A - theta_B|| over the two networks' parameters (0 for the shared trunk of hard sharing)."""
        with torch.no_grad():
            return float(
                torch.sqrt(
                    sum(((pa - pb) ** 2).sum() for pa, pb in zip(self.nets[0].parameters(), self.nets[1].parameters()))
                )
            )

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())  # shared tensors counted once by nn.Module


def _penalty(model: MultiTaskModel) -> torch.Tensor:
    return sum(((pa - pb) ** 2).sum() for pa, pb in zip(model.nets[0].parameters(), model.nets[1].parameters()))


def train_multitask(model: MultiTaskModel, tasks: Tasks) -> Iterator[Progress]:
    cfg = model.cfg
    if cfg.mode == "independent":
        opts = [torch.optim.Adam(model.nets[t].parameters(), lr=cfg.lr) for t in range(2)]
    else:
        opts = [torch.optim.Adam(model.parameters(), lr=cfg.lr)]
    for step in range(cfg.steps):
        if cfg.mode == "independent":
            losses = []
            for t in range(2):  # each model sees only its own task
                loss_t = ((model.nets[t](tasks.x[t])[:, 0] - tasks.y[t]) ** 2).mean()
                opts[t].zero_grad()
                loss_t.backward()
                opts[t].step()
                losses.append(float(loss_t.detach()))
            total = sum(losses)
        else:
            _, per_task = model(tasks.x, tasks.y)
            loss = per_task.sum()
            if cfg.mode == "soft":
                loss = loss + cfg.lam * _penalty(model)
            opts[0].zero_grad()
            loss.backward()
            opts[0].step()
            total = float(per_task.sum().detach())
        with torch.no_grad():
            val = model(tasks.x_val, tasks.y_val)[1]
        yield Progress(
            step + 1, cfg.steps, total, {"val_A": float(val[0]), "val_B": float(val[1]), "distance": model.distance()}
        )
