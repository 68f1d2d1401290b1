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

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress

MODES = ("hard", "soft", "independent")


class MultiTaskInputError(InputError):
    """Settings the multi-task lab cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class MultiTaskConfig(Checked):
    error = MultiTaskInputError
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

    def checks(self):
        yield self.mode in MODES, "mode", f"mode must be one of {MODES}"
        yield finite(self.lam) and 0 <= self.lam <= 1e3, "lam", "lambda must be between 0 and 1000"
        yield (
            self.n_train >= 2 and self.n_features >= 1 and self.hidden >= 1 and self.steps >= 1,
            "size",
            "sizes must be positive (at least 2 examples)",
        )
        yield finite(self.lr) and 0 < self.lr <= 1, "lr", f"learning rate must be in (0, 1], not {self.lr}"
        yield finite(self.relatedness) and -1 <= self.relatedness <= 1, "relatedness", "relatedness must be in [-1, 1]"
        yield finite(self.noise) and self.noise >= 0, "noise", "the noise must be >= 0"


@dataclass(frozen=True)
class Tasks:
    x: torch.Tensor  # (2, n_train, d)
    y: torch.Tensor  # (2, n_train)
    x_val: torch.Tensor  # (2, 500, d)
    y_val: torch.Tensor  # (2, 500)


def make_tasks(cfg: MultiTaskConfig) -> Tasks:
    """y_t = tanh(x . w_t) * 2 + noise, with cos(w_A, w_B) = relatedness."""
    cfg.validate()
    g = generator(cfg.seed)
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
    with seeded(cfg.seed):  # nn.Linear's own init, never the global RNG (overwritten just below)
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
        g = generator(cfg.seed + 1)
        self.nets = nn.ModuleList([_mlp(cfg, g), _mlp(cfg, g)])
        if cfg.mode == "hard":
            self.nets[1][0] = self.nets[0][0]  # the same trunk object for both tasks

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x (2, n, d) -> (predictions (2, n), loss = L_A + L_B or None); task_losses gives (L_A, L_B)."""
        pred = torch.stack([self.nets[t](x[t])[:, 0] for t in range(2)])  # (2, n)
        return pred, None if y is None else self.task_losses(pred, y).sum()

    @staticmethod
    def task_losses(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-task MSE, (2,)."""
        return ((pred - y) ** 2).mean(dim=1)

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
    """Adam, full batch. hard/soft: one optimizer on L_A + L_B (+ lam * ||theta_A - theta_B||^2 for soft);
    independent: the two networks side by side (engine.core.side_by_side), each on its own task. Every step:
    Progress.loss = L_A + L_B (training), metrics val_A, val_B (validation MSE) and distance."""
    cfg = model.cfg
    cfg.validate()

    def evaluate() -> dict[str, float]:
        val = model.task_losses(model(tasks.x_val)[0], tasks.y_val)
        return {"val_A": float(val[0]), "val_B": float(val[1]), "distance": model.distance()}

    if cfg.mode == "independent":
        nets = {"A": model.nets[0], "B": model.nets[1]}
        yield from train_side_by_side(
            nets,
            {k: torch.optim.Adam(net.parameters(), lr=cfg.lr) for k, net in nets.items()},
            batch=lambda step: tasks,
            loss=lambda k, net, b: ((net(b.x["AB".index(k)])[:, 0] - b.y["AB".index(k)]) ** 2).mean(),
            evaluate=evaluate,
            steps=cfg.steps,
            seed=cfg.seed + 2,
            loss_key=None,
            headline=lambda losses, metrics: sum(losses.values()),
        )
        return
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    for step in range(cfg.steps):
        model.train()
        opt.zero_grad(set_to_none=True)
        _, loss = model(tasks.x, tasks.y)
        total = float(loss.detach())
        if cfg.mode == "soft":
            loss = loss + cfg.lam * _penalty(model)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            metrics = evaluate()
        yield Progress(step + 1, cfg.steps, total, metrics)
