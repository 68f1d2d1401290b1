"""N models trained on the same batches: the one loop behind every lab that compares models step by step.

    opts = {k: torch.optim.Adam(m.parameters(), lr=cfg.lr) for k, m in models.items()}
    yield from train_side_by_side(
        models, opts,
        batch=lambda step: xor_batch(cfg.batch_size, cfg.seq_len, g),   # one fresh batch per step, for all
        loss=lambda name, model, b: model(*b)[1],                       # one model's training loss on it
        evaluate=lambda: {f"acc_{k}": accuracy(m, *held_out) for k, m in models.items()},
        steps=cfg.steps, eval_every=cfg.eval_every, clip_norm=1.0, seed=cfg.seed + 2,
    )

The conventions, written once:
- each step draws ONE batch, then for every model in order: `model.train()`, `opt.zero_grad(set_to_none=True)`,
  forward + backward of its loss, gradient clipping of that model alone (global norm, `clip_norm`; None = off),
  `opt.step()`. The models never see each other: training them side by side gives exactly the numbers of
  training each alone on the same batches.
- every model's forward and backward run under `engine.core.seeding.seeded(...)` with its own generator, each
  seeded with `seed`: dropout masks are seeded, torch's global RNG is never used, and two models that differ only
  in a setting draw the same random stream (twins with equal dropout stay identical).
- evaluation after every `eval_every`-th step and after the last (`eval_due`), once all models have
  stepped, with every model in eval mode and no autograd; `evaluate()` returns the metrics to add.
- Progress(step, steps, headline, metrics): metrics hold every model's training loss under
  `loss_key.format(name)` (None: not recorded) plus the evaluation's metrics; the headline is
  `headline(losses, metrics)` or, by default, the first model's loss.
- models are left in eval mode when the run ends or is stopped.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping

import torch
from torch import nn

from engine.core.seeding import generator, seeded
from engine.core.train import Progress

__all__ = ["eval_due", "train_side_by_side"]


def eval_due(step: int, total: int, every: int) -> bool:
    """The one evaluation cadence of side-by-side training: after every `every`-th step and after the last
    (`step` is 0-based)."""
    return (step + 1) % every == 0 or step + 1 == total


def train_side_by_side(
    models: Mapping[str, nn.Module],
    optimizers: Mapping[str, torch.optim.Optimizer],
    *,
    batch: Callable[[int], Any],
    loss: Callable[[str, nn.Module, Any], torch.Tensor],
    steps: int,
    eval_every: int = 1,
    evaluate: Callable[[], Mapping[str, float]] | None = None,
    clip_norm: float | None = None,
    seed: int = 0,
    loss_key: str | None = "loss_{}",
    headline: Callable[[dict[str, float], dict[str, float]], float] | None = None,
) -> Iterator[Progress]:
    """Train `models` (name -> module, each with its optimizer in `optimizers`) for `steps` steps; `batch(step)`
    (0-based) gives the step's batch and `loss(name, model, batch)` one model's loss on it (a model may read its
    own view of the batch). See the module docstring for the conventions."""
    if set(optimizers) != set(models):
        raise ValueError("one optimizer per model")
    if steps < 1 or eval_every < 1:
        raise ValueError("steps and eval_every must be at least 1")
    gens = {name: generator(seed) for name in models}
    first = next(iter(models))
    try:
        for step in range(steps):
            b = batch(step)
            losses: dict[str, float] = {}
            for name, model in models.items():
                opt = optimizers[name]
                model.train()
                opt.zero_grad(set_to_none=True)
                with seeded(gens[name]):
                    value = loss(name, model, b)
                    value.backward()
                if clip_norm is not None:
                    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.grad is not None], clip_norm)
                opt.step()
                losses[name] = value.item()
            metrics = {} if loss_key is None else {loss_key.format(k): v for k, v in losses.items()}
            if evaluate is not None and eval_due(step, steps, eval_every):
                for model in models.values():
                    model.eval()
                with torch.no_grad():
                    metrics.update(evaluate())
            value = losses[first] if headline is None else headline(losses, metrics)
            yield Progress(step + 1, steps, value, metrics)
    finally:
        for model in models.values():
            model.eval()
