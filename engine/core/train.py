"""The one training-loop shape every model in NLP Atlas uses.

An engine exposes its training as a *generator* of `Progress` records (like minGPT's callbacks, but pulled
instead of pushed): the caller decides how often to look, when to stop, and where to draw. The generator
mutates the model in place, so stopping early still leaves a usable model.

    def train_word2vec(model, data, cfg) -> Iterator[Progress]:
        for step in range(total):
            ...
            yield Progress(step + 1, total, loss.item(), {"lr": lr})

`run(...)` drives such a generator with a stop event, a wall-clock cap and a callback; it is what the
Streamlit live-training panel runs in a background thread and what tests and benchmarks call directly.

Several models trained on the same batches go through `engine.core.side_by_side.train_side_by_side`; seeded
initialisation and dropout through `engine.core.seeding.seeded`; configs validate through
`engine.core.config.Checked`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator


@dataclass(frozen=True)
class Progress:
    step: int  # steps done so far (1-based after the first step)
    total: int  # planned number of steps
    loss: float
    metrics: dict = field(default_factory=dict)  # any extra scalars to plot, e.g. {"acc": 0.8, "lr": 0.01}


@dataclass
class RunResult:
    history: list[Progress]
    status: str  # "done" | "stopped" | "capped"
    seconds: float

    @property
    def losses(self) -> list[float]:
        return [p.loss for p in self.history]


def run(
    steps: Iterable[Progress],
    *,
    stop: threading.Event | None = None,
    max_seconds: float | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunResult:
    """Consume a training generator until it ends, `stop` is set, or `max_seconds` pass.

    The check happens between steps, so a step must be short (tens of milliseconds) for Stop to feel instant.
    """
    start = time.perf_counter()
    history: list[Progress] = []
    status = "done"
    it: Iterator[Progress] = iter(steps)
    try:
        for p in it:
            history.append(p)
            if on_progress is not None:
                on_progress(p)
            if stop is not None and stop.is_set():
                status = "stopped"
                break
            if max_seconds is not None and time.perf_counter() - start > max_seconds:
                status = "capped"
                break
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()
    return RunResult(history, status, time.perf_counter() - start)


def linear_decay(lr0: float, step: int, total: int, floor: float = 1e-4) -> float:
    """word2vec.c's schedule: the learning rate falls linearly to lr0 * floor."""
    return max(lr0 * (1.0 - step / max(total, 1)), lr0 * floor)
