"""A linear-chain conditional random field in PyTorch, plus the character-window tagger built on it.

    P(y | x) = exp( start[y_1] + Σ_t emissions[t, y_t] + Σ_t transitions[y_{t-1}, y_t] + end[y_n] ) / Z(x)

Z(x) sums over *every* tag sequence (global normalisation, the forward algorithm); decoding is Viterbi.
Parameter names and shapes are those of pytorch-crf (`torchcrf.CRF`): start_transitions (T,),
end_transitions (T,), transitions (T, T) from-row to-column; tensors are batch-first: emissions (B, L, T),
tags (B, L) long, mask (B, L) bool with mask[:, 0] all True. tests/engine/sequence/test_crf.py checks equality with torchcrf.

An optional `allowed` (T, T) boolean matrix (and `start_allowed` / `end_allowed`) forbids transitions, e.g. the
BMES grammar (B is never followed by B): forbidden entries get a score of -10,000 (exp of that is 0 in float32).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
import torch.nn as nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress

FORBIDDEN = -1e4


class CRF(nn.Module):
    def __init__(
        self,
        num_tags: int,
        *,
        allowed: torch.Tensor | None = None,
        start_allowed: torch.Tensor | None = None,
        end_allowed: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if num_tags <= 0:
            raise ValueError(f"num_tags must be positive, got {num_tags}")
        self.num_tags = num_tags
        # Same initialisation range as pytorch-crf, but from an explicit generator.
        self.start_transitions = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1, generator=generator))
        self.end_transitions = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1, generator=generator))
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags).uniform_(-0.1, 0.1, generator=generator))
        ones = torch.ones(num_tags, dtype=torch.bool)
        self.register_buffer(
            "allowed", allowed if allowed is not None else torch.ones(num_tags, num_tags, dtype=torch.bool)
        )
        self.register_buffer("start_allowed", start_allowed if start_allowed is not None else ones.clone())
        self.register_buffer("end_allowed", end_allowed if end_allowed is not None else ones.clone())

    # The scores actually used, with forbidden moves pushed to FORBIDDEN.
    def potentials(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return (
            self.start_transitions.masked_fill(~self.start_allowed, FORBIDDEN),
            self.transitions.masked_fill(~self.allowed, FORBIDDEN),
            self.end_transitions.masked_fill(~self.end_allowed, FORBIDDEN),
        )

    def score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B,) unnormalised log score of the given tag sequences."""
        start, trans, end = self.potentials()
        B, L, _ = emissions.shape
        maskf = mask.to(emissions.dtype)
        arange = torch.arange(B)
        s = start[tags[:, 0]] + emissions[arange, 0, tags[:, 0]]
        for t in range(1, L):
            s = s + (trans[tags[:, t - 1], tags[:, t]] + emissions[arange, t, tags[:, t]]) * maskf[:, t]
        last = tags[arange, mask.long().sum(1) - 1]
        return s + end[last]

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B,) log Z(x) by the forward algorithm."""
        start, trans, end = self.potentials()
        alpha = start + emissions[:, 0]  # (B, T)
        for t in range(1, emissions.shape[1]):
            nxt = torch.logsumexp(alpha[:, :, None] + trans[None] + emissions[:, t, None, :], dim=1)  # (B, T)
            alpha = torch.where(mask[:, t, None], nxt, alpha)
        return torch.logsumexp(alpha + end, dim=1)

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(B,) -log P(tags | x) per sequence."""
        return self.log_partition(emissions, mask) - self.score(emissions, tags, mask)

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best tag sequence per batch item (Viterbi), each as long as its mask."""
        start, trans, end = self.potentials()
        delta = start + emissions[:, 0]  # (B, T)
        backs = []
        for t in range(1, emissions.shape[1]):
            scores = delta[:, :, None] + trans[None] + emissions[:, t, None, :]  # (B, from, to)
            best, arg = scores.max(dim=1)
            delta = torch.where(mask[:, t, None], best, delta)
            backs.append(arg)
        delta = delta + end
        lengths = mask.long().sum(1)
        out = []
        for b in range(emissions.shape[0]):
            tag = int(delta[b].argmax())
            path = [tag]
            for t in range(int(lengths[b]) - 1, 0, -1):
                tag = int(backs[t - 1][b, tag])
                path.append(tag)
            out.append(path[::-1])
        return out


# ---------------------------------------------------------------- character-window features
class CharFeatures(nn.Module):
    """Linear features of the characters around position t: emissions[t] = Σ_{d=-w..w} W_d[x_{t+d}]  (T,).
    Index 0 is padding (outside the sentence), 1 an unknown character."""

    def __init__(self, vocab_size: int, num_tags: int, window: int = 1, generator: torch.Generator | None = None):
        super().__init__()
        if window < 0:
            raise ValueError("window must be >= 0")
        self.window = window
        self.tables = nn.ParameterList(
            [nn.Parameter(torch.randn(vocab_size, num_tags, generator=generator) * 0.01) for _ in range(2 * window + 1)]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, L) long -> emissions (B, L, T)."""
        w = self.window
        padded = nn.functional.pad(x, (w, w))  # (B, L + 2w), pad id 0
        L = x.shape[1]
        return sum(table[padded[:, d : d + L]] for d, table in enumerate(self.tables))


def build_vocab(texts: Sequence[str]) -> dict[str, int]:
    vocab = {"<pad>": 0, "<unk>": 1}
    for s in texts:
        for ch in s:
            vocab.setdefault(ch, len(vocab))
    return vocab


def encode_batch(texts: Sequence[str], vocab: dict[str, int], tags: Sequence[Sequence[int]] | None = None):
    """Padded (B, L) ids, (B, L) tag ids (0 where padded) and the (B, L) bool mask."""
    L = max((len(s) for s in texts), default=1) or 1
    x = torch.zeros(len(texts), L, dtype=torch.long)
    y = torch.zeros(len(texts), L, dtype=torch.long)
    mask = torch.zeros(len(texts), L, dtype=torch.bool)
    for i, s in enumerate(texts):
        x[i, : len(s)] = torch.tensor([vocab.get(c, 1) for c in s], dtype=torch.long)
        mask[i, : len(s)] = True
        if tags is not None:
            y[i, : len(s)] = torch.as_tensor(list(tags[i]), dtype=torch.long)
    return x, y, mask


class CRFTagger(nn.Module):
    """Character-window features + a CRF: forward(x, mask, tags) -> (emissions, mean nll per character)."""

    kind = "crf"

    def __init__(
        self,
        vocab: dict[str, int],
        tags: str,
        window: int = 1,
        allowed=None,
        start_allowed=None,
        end_allowed=None,
        seed: int = 0,
    ):
        super().__init__()
        g = generator(seed)
        self.vocab, self.tag_names = vocab, tags
        self.features = CharFeatures(len(vocab), len(tags), window, g)
        self.crf = CRF(len(tags), allowed=allowed, start_allowed=start_allowed, end_allowed=end_allowed, generator=g)

    def forward(self, x, mask, tags=None):
        em = self.features(x)  # (B, L, T)
        loss = None if tags is None else self.crf.nll(em, tags, mask).sum() / mask.sum()
        return em, loss

    @torch.no_grad()
    def predict(self, texts: Sequence[str]) -> list[list[int]]:
        texts = [s for s in texts]
        if not any(texts):
            return [[] for _ in texts]
        x, _, mask = encode_batch([s or " " for s in texts], self.vocab)
        em, _ = self(x, mask)
        return [p if s else [] for p, s in zip(self.crf.decode(em, mask), texts)]

    @torch.no_grad()
    def path_logprob(self, text: str, path: Sequence[int]) -> float:
        """log P(path | text) = score - log Z."""
        x, _, mask = encode_batch([text], self.vocab)
        em, _ = self(x, mask)
        return float(-self.crf.nll(em, torch.tensor([list(path)]), mask)[0])


# ---------------------------------------------------------------- training (shared by CRF and MEMM taggers)
class TaggerInputError(InputError):
    """Settings the taggers cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class TaggerConfig(Checked):
    error = TaggerInputError
    epochs: int = 2
    batch_size: int = 64
    lr: float = 0.05
    window: int = 1
    clip_norm: float | None = None
    seed: int = 0

    def checks(self):
        yield self.epochs >= 1 and self.batch_size >= 1, "size", "epochs and batch size must be at least 1"
        yield finite(self.lr) and 0 < self.lr <= 10, "lr", f"learning rate must be in (0, 10], got {self.lr}"
        yield self.window >= 0, "window", "window must be >= 0"


def train_taggers(
    models: Sequence[nn.Module], data: Sequence[tuple[str, Sequence[int]]], cfg: TaggerConfig
) -> Iterator[Progress]:
    """Adam on mini-batches (shuffled with a seeded generator every epoch), all `models` side by side on the same
    batches (engine.core.side_by_side). loss = the first model's mean nll per character; metrics hold every
    model's loss by its `kind` (kind_<i> when two models share a kind)."""
    cfg.validate()
    data = [(s, t) for s, t in data if s]
    if not data:
        raise TaggerInputError("empty", "no training sentences")
    kinds = [m.kind for m in models]
    named = {(k if kinds.count(k) == 1 else f"{k}_{i}"): m for i, (k, m) in enumerate(zip(kinds, models))}
    g = generator(cfg.seed)
    opts = {k: torch.optim.Adam(m.parameters(), lr=cfg.lr) for k, m in named.items()}
    n_batches = (len(data) + cfg.batch_size - 1) // cfg.batch_size
    order: list[int] = []

    def batch(step: int):
        nonlocal order
        b = step % n_batches
        if b == 0:  # a new epoch: a new order
            order = torch.randperm(len(data), generator=g).tolist()
        chunk = [data[i] for i in order[b * cfg.batch_size : (b + 1) * cfg.batch_size]]
        return encode_batch([s for s, _ in chunk], models[0].vocab, [t for _, t in chunk])

    yield from train_side_by_side(
        named,
        opts,
        batch=batch,
        loss=lambda k, m, b: m(b[0], b[2], b[1])[1],
        steps=cfg.epochs * n_batches,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 1,
        loss_key="{}",
    )
