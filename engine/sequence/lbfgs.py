"""Limited-memory BFGS as a generator of iterations (so a page can draw and stop it between two of them).

The settings and stopping rules are those of liblbfgs, the optimiser inside CRFsuite: `memory` correction pairs
(CRFsuite: num_memories = 6), stop when ||g|| / max(1, ||x||) < epsilon (1e-5) or when the objective fell by less
than a fraction `delta` (1e-5) over the last `period` (10) iterations, or after `max_iterations`. The first step is
1 / ||g|| along -g (as liblbfgs takes it); then the two-loop recursion with the usual H0 = s·y / y·y scaling and a
unit trial step. The line search is backtracking with the Armijo rule (sufficient decrease, c1 = 1e-4, and a strict
decrease: near the optimum the objective's rounding noise would otherwise accept null steps forever) and a
safeguarded quadratic interpolation; when no trial of `max_linesearch` decreases f it stops ("line_search": the
point is as good as f's precision can tell); on a strictly convex objective (a CRF with an L2 term) s·y > 0 always holds,
so every pair is kept. liblbfgs's Moré–Thuente search may also grow a step; on these objectives the unit step is
accepted almost always, so the two take about one evaluation per iteration.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

import numpy as np

T = TypeVar("T")


def one_blas_thread(steps: Iterable[T]) -> Iterator[T]:
    """Run each step of `steps` with BLAS limited to one thread (and release the limit while the caller has it).
    OpenBLAS splits even a vector dot product over its threads: on a shared 2-core machine with the other core
    busy an iteration became 2-3x slower (bench/results/crf.md); CRFsuite, the peer, is single-threaded too."""
    from threadpoolctl import threadpool_limits

    it = iter(steps)
    while True:
        with threadpool_limits(1, user_api="blas"):
            try:
                item = next(it)
            except StopIteration:
                return
        yield item


def dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def norm(a: np.ndarray) -> float:
    return dot(a, a) ** 0.5


@dataclass(frozen=True)
class Iteration:
    k: int  # iterations done (0 = the starting point)
    x: np.ndarray  # the current point (the optimiser's own array: copy it to keep it)
    f: float
    gnorm: float
    evaluations: int  # objective evaluations so far
    converged: str  # "" while running; "epsilon" | "delta" | "max_iterations" | "line_search" at the end


def minimize_with(fg: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray, cfg) -> Iterator[Iteration]:
    """`minimize` with a trainer config's L-BFGS fields (memory, max_iterations, epsilon, period, delta), the ones
    the feature CRF's and MEMM's configs share."""
    return minimize(
        fg,
        x0,
        memory=cfg.memory,
        max_iterations=cfg.max_iterations,
        epsilon=cfg.epsilon,
        period=cfg.period,
        delta=cfg.delta,
    )


def minimize(
    fg: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    *,
    memory: int = 6,
    max_iterations: int = 100,
    epsilon: float = 1e-5,
    period: int = 10,
    delta: float = 1e-5,
    max_linesearch: int = 20,
    c1: float = 1e-4,
) -> Iterator[Iteration]:
    """Yield the starting point, then one `Iteration` after each accepted step; the last one says why it stopped."""
    x = np.array(x0, dtype=np.float64)
    f, g = fg(x)
    evals = 1
    history = deque(maxlen=memory)  # (s, y, 1 / y·s)
    past = [f]
    gnorm = norm(g)
    if gnorm / max(1.0, norm(x)) < epsilon:
        yield Iteration(0, x, f, gnorm, evals, "epsilon")
        return
    yield Iteration(0, x, f, gnorm, evals, "")
    d = -g
    step = 1.0 / gnorm
    for k in range(1, max_iterations + 1):
        gd = float(dot(g, d))
        if gd >= 0:  # not a descent direction (numerical trouble): restart from steepest descent
            history.clear()
            d, gd = -g, -float(dot(g, g))
            step = 1.0 / max(gnorm, 1e-300)
        for _ in range(max_linesearch):
            x_new = x + step * d
            f_new, g_new = fg(x_new)
            evals += 1
            if np.isfinite(f_new) and f_new <= f + c1 * step * gd and f_new < f:  # (f_new = f: rounding noise)
                break
            # minimiser of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5] * step
            denom = 2.0 * (f_new - f - gd * step) if np.isfinite(f_new) else np.inf
            trial = -gd * step * step / denom if denom > 0 else 0.5 * step
            step = float(np.clip(trial, 0.1 * step, 0.5 * step))
        else:
            yield Iteration(k - 1, x, f, gnorm, evals, "line_search")
            return
        s, y = x_new - x, g_new - g
        ys = float(dot(y, s))
        if ys > 1e-12 * float(dot(y, y)):
            history.append((s, y, 1.0 / ys))
        x, f, g = x_new, f_new, g_new
        gnorm = norm(g)
        past.append(f)
        why = ""
        if gnorm / max(1.0, norm(x)) < epsilon:
            why = "epsilon"
        elif len(past) > period and (past[-1 - period] - f) / max(abs(f), 1e-300) < delta:
            why = "delta"
        elif k == max_iterations:
            why = "max_iterations"
        yield Iteration(k, x, f, gnorm, evals, why)
        if why:
            return
        # two-loop recursion: d = -H g
        q = g.copy()
        alphas = []
        for s_i, y_i, rho in reversed(history):
            a = rho * float(dot(s_i, q))
            q -= a * y_i
            alphas.append(a)
        if history:
            s_i, y_i, rho = history[-1]
            q *= 1.0 / (rho * float(dot(y_i, y_i)))
        for (s_i, y_i, rho), a in zip(history, reversed(alphas)):
            b = rho * float(dot(y_i, q))
            q += (a - b) * s_i
        d = -q
        step = 1.0
