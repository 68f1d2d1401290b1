"""The one way engine code makes seeded randomness: a private `torch.Generator`, never torch's global RNG.

Two sessions may build and train models at the same time in two threads. torch's global generator is shared by
every thread, so seeding it around a constructor (even inside a block that saves and restores its state) lets one
session's draws land in the other's model, and an `nn.Dropout` mask drawn from it depends on who else is
training. Instead:

    with seeded(cfg.seed):                      # build: every draw that names no generator comes from the seed
        model = BertForPreTraining(config)      # nn.Linear / nn.Embedding init, transformers' _init_weights, ...

    masks = generator(cfg.seed + 3)             # train: a generator for this run's dropout masks
    with seeded(masks):
        _, loss = model(x, y)                   # nn.Dropout, F.dropout and attention dropout draw from it

Inside `seeded(...)` a thread-local torch function mode hands the private generator to every random function
called without one (torch.rand/randn/randint/randperm/normal/bernoulli/multinomial/..., Tensor.normal_/uniform_/
bernoulli_/..., hence every nn.init function) and computes dropout the way ATen does on the CPU (a Bernoulli(1 - p)
mask divided by 1 - p, times the input) with that generator. Draws happen in the same order with the same
algorithm, so `with seeded(s): build()` gives bit-for-bit the weights that seeding the global generator with s
before `build()` gave, while the global generator is neither read nor advanced and other threads are not affected
at all. A random function that cannot take a generator (feature or alpha dropout, rrelu, nn.MultiheadAttention's
internal dropout) raises UnseededRandomness instead of silently using the global RNG.

Code that draws its own numbers passes a generator explicitly: `torch.randn(shape, generator=generator(seed))`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

__all__ = ["UnseededRandomness", "generator", "seeded"]


class UnseededRandomness(RuntimeError):
    """A random function inside `seeded(...)` that cannot draw from a given generator."""


def generator(seed: int) -> torch.Generator:
    """A private CPU torch.Generator seeded with `seed` (the stream the global generator would give for that seed)."""
    return torch.Generator().manual_seed(int(seed))


_T = torch.Tensor
# random functions with a `generator=` keyword: it is filled in when missing or None
_TAKES_GENERATOR = frozenset(
    {
        torch.rand,
        torch.randn,
        torch.randint,
        torch.randperm,
        torch.rand_like,
        torch.randn_like,
        torch.randint_like,
        torch.normal,
        torch.bernoulli,
        torch.multinomial,
        torch.poisson,
        _T.normal_,
        _T.uniform_,
        _T.bernoulli_,
        _T.bernoulli,
        _T.random_,
        _T.exponential_,
        _T.geometric_,
        _T.log_normal_,
        _T.cauchy_,
        _T.multinomial,
    }
)
# random functions without one (ATen draws from the global generator): (p index, train index, train default) of
# their arguments; they raise UnseededRandomness when they would actually draw (p > 0 and training)
_NO_GENERATOR = {
    F.dropout1d: (1, 2, True),
    F.dropout2d: (1, 2, True),
    F.dropout3d: (1, 2, True),
    F.alpha_dropout: (1, 2, False),
    F.feature_alpha_dropout: (1, 2, False),
    torch.feature_dropout: (1, 2, True),
    torch.feature_dropout_: (1, 2, True),
    torch.alpha_dropout: (1, 2, True),
    torch.alpha_dropout_: (1, 2, True),
    torch.feature_alpha_dropout: (1, 2, True),
    torch.feature_alpha_dropout_: (1, 2, True),
    torch.native_dropout: (1, 2, True),
    F.multi_head_attention_forward: (10, 13, True),  # nn.MultiheadAttention: its dropout is inside
    F.rrelu: (None, 3, False),
    F.gumbel_softmax: (None, None, True),
}
_ARG_NAMES = {1: "p", 2: "training", 3: "training", 10: "dropout_p", 13: "training"}


def _arg(args: tuple, kwargs: dict, i: int, name: str, default):
    return args[i] if len(args) > i else kwargs.get(name, default)


def _dropout(x: torch.Tensor, p: float, train: bool, inplace: bool, gen: torch.Generator) -> torch.Tensor:
    """ATen's CPU dropout (aten/src/ATen/native/Dropout.cpp, _dropout_impl) with the mask drawn from `gen`."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or x.numel() == 0:
        return x
    if p == 1:
        return x.mul_(torch.zeros((), dtype=x.dtype)) if inplace else x * torch.zeros((), dtype=x.dtype)
    noise = torch.empty_like(x).bernoulli_(1 - p, generator=gen)
    noise.div_(1 - p)
    return x.mul_(noise) if inplace else x * noise


def _attention(args: tuple, kwargs: dict, gen: torch.Generator) -> torch.Tensor:
    """scaled_dot_product_attention with dropout_p > 0, written out (torch's documented reference) so that the
    dropout on the attention weights draws from `gen`."""
    q, k, v = args[:3]
    mask = _arg(args, kwargs, 3, "attn_mask", None)
    p = _arg(args, kwargs, 4, "dropout_p", 0.0)
    causal = _arg(args, kwargs, 5, "is_causal", False)
    scale = _arg(args, kwargs, 6, "scale", None)
    if _arg(args, kwargs, 7, "enable_gqa", False) and q.size(-3) != k.size(-3):
        k = k.repeat_interleave(q.size(-3) // k.size(-3), -3)
        v = v.repeat_interleave(q.size(-3) // v.size(-3), -3)
    scores = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(q.size(-1)) if scale is None else scale)
    if causal:
        scores = scores.masked_fill(~torch.ones(q.size(-2), k.size(-2), dtype=torch.bool).tril(), float("-inf"))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    return _dropout(torch.softmax(scores, dim=-1), p, True, False, gen) @ v


class _Seeded(TorchFunctionMode):
    def __init__(self, gen: torch.Generator):
        super().__init__()
        self.gen = gen

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func in _TAKES_GENERATOR or "generator" in kwargs:  # torch.rand..., Tensor.normal_..., every nn.init
            if kwargs.get("generator") is None:
                kwargs["generator"] = self.gen
        elif func is F.dropout:
            return _dropout(
                args[0],
                _arg(args, kwargs, 1, "p", 0.5),
                _arg(args, kwargs, 2, "training", True),
                _arg(args, kwargs, 3, "inplace", False),
                self.gen,
            )
        elif func in (torch.dropout, torch.dropout_):
            return _dropout(
                args[0],
                _arg(args, kwargs, 1, "p", 0.5),
                _arg(args, kwargs, 2, "train", True),
                func is torch.dropout_,
                self.gen,
            )
        elif func is F.scaled_dot_product_attention and _arg(args, kwargs, 4, "dropout_p", 0.0) > 0:
            return _attention(args, kwargs, self.gen)
        elif func in _NO_GENERATOR:
            p_at, train_at, train_default = _NO_GENERATOR[func]
            p = 1.0 if p_at is None else _arg(args, kwargs, p_at, _ARG_NAMES[p_at], 0.5)
            train = (
                train_default if train_at is None else _arg(args, kwargs, train_at, _ARG_NAMES[train_at], train_default)
            )
            if p > 0 and train:
                raise UnseededRandomness(f"{getattr(func, '__name__', func)} cannot draw from a given generator")
        return func(*args, **kwargs)


@contextmanager
def seeded(seed: int | torch.Generator) -> Iterator[torch.Generator]:
    """In this thread, until the block ends: every torch random draw that names no generator (module init,
    dropout, torch.rand...) comes from `seed`'s own generator (or the generator given). Yields that generator.

    Enter and leave it around the work itself: a training generator must not `yield` inside the block (the
    caller's code would run under it)."""
    gen = seed if isinstance(seed, torch.Generator) else generator(seed)
    with _Seeded(gen):
        yield gen
