"""ALBERT v2 drops dropout (misc-13, bert-07-5): the configs, and a tiny shared-layer ALBERT trained with and
without it.

ALBERT (Lan et al. 2020) shares one encoder layer across all L layers. v1 still used dropout 0.1; the v2 models
set hidden_dropout_prob = attention_probs_dropout_prob = 0 (the paper found removing dropout helps once the model
no longer over-fits its huge corpus; sharing itself acts as a regulariser). transformers' `AlbertConfig()`
defaults to the v2 values.

The live demo trains two real `transformers.AlbertModel`s, identical except for dropout (same initial weights,
same batches), on a small noisy classification task, and records train and validation accuracy. Weights, data,
batches and dropout masks all come from the seed (engine.core.seeding: transformers' init and nn.Dropout draw from
a private generator, never torch's global one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import AlbertConfig, AlbertModel

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress
from engine.transformer.param_count import Shape, bert_parts

V1_DROPOUT = 0.1  # albert-base-v1's config.json: hidden and attention dropout 0.1
V2_BASE = dict(hidden_size=768, num_attention_heads=12, intermediate_size=3072)  # albert-base-v2's shape


def dropout_settings() -> dict[str, dict[str, float]]:
    """The dropout fields of AlbertConfig for v1 (explicit 0.1) and v2 (transformers' defaults)."""
    v2 = AlbertConfig()
    v1 = AlbertConfig(hidden_dropout_prob=V1_DROPOUT, attention_probs_dropout_prob=V1_DROPOUT)
    keys = ("hidden_dropout_prob", "attention_probs_dropout_prob")
    return {"v1": {k: getattr(v1, k) for k in keys}, "v2": {k: getattr(v2, k) for k in keys}}


def active_dropouts(model: nn.Module) -> int:
    """How many nn.Dropout modules would actually drop something (p > 0)."""
    return sum(1 for m in model.modules() if isinstance(m, nn.Dropout) and m.p > 0)


def preset_dropouts(version: str) -> tuple[int, int]:
    """(active dropouts, all dropouts) in an ALBERT-base model of that version, built on the meta device (no
    memory for the weights)."""
    p = V1_DROPOUT if version == "v1" else AlbertConfig().hidden_dropout_prob
    cfg = AlbertConfig(**V2_BASE, hidden_dropout_prob=p, attention_probs_dropout_prob=p)
    with torch.device("meta"), seeded(0):  # meta tensors hold no numbers; nothing may touch the global RNG
        model = AlbertModel(cfg)
    return active_dropouts(model), sum(1 for m in model.modules() if isinstance(m, nn.Dropout))


class DropoutInputError(InputError):
    """Settings the dropout lab cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class DropoutLabConfig(Checked):
    error = DropoutInputError
    vocab: int = 20  # ids 1..vocab-1 are words, 0 is [CLS]
    seq_len: int = 11
    embedding: int = 16
    hidden: int = 32
    layers: int = 4
    heads: int = 2
    intermediate: int = 64
    shared: bool = True  # ALBERT cross-layer sharing; False: one set of weights per layer
    dropouts: tuple[float, float] = (0.0, 0.1)
    n_train: int = 128
    n_val: int = 500
    label_noise: float = 0.2
    lr: float = 3e-3
    batch_size: int = 32
    steps: int = 160  # ~10 s for both models on one core of a quiet machine, ~25 s at load 10+
    eval_every: int = 20
    clip_norm: float | None = None
    seed: int = 0

    def checks(self):
        yield 2 <= self.vocab <= 1000 and 2 <= self.seq_len <= 64, "size", "vocabulary / length out of range"
        yield 1 <= self.layers <= 12 and 1 <= self.heads <= 16, "shape", "bad shape"
        yield self.hidden % self.heads == 0, "shape", "bad shape"
        yield all(finite(p) and 0.0 <= p < 1.0 for p in self.dropouts), "dropout", "dropout must be in [0, 1)"
        yield 8 <= self.n_train <= 100_000 and 8 <= self.n_val <= 100_000, "data", "data size out of range"
        yield finite(self.label_noise) and 0.0 <= self.label_noise < 0.5, "noise", "label noise must be in [0, 0.5)"
        yield (
            finite(self.lr) and 0.0 < self.lr <= 0.1 and 1 <= self.steps <= 100_000 and self.eval_every >= 1,
            "schedule",
            "bad schedule",
        )

    def albert(self, dropout: float) -> AlbertConfig:
        return AlbertConfig(
            vocab_size=self.vocab,
            embedding_size=self.embedding,
            hidden_size=self.hidden,
            num_hidden_layers=self.layers,
            num_attention_heads=self.heads,
            intermediate_size=self.intermediate,
            max_position_embeddings=self.seq_len + 1,
            num_hidden_groups=1 if self.shared else self.layers,
            hidden_dropout_prob=dropout,
            attention_probs_dropout_prob=dropout,
            type_vocab_size=2,
            pad_token_id=0,
        )

    def shape(self) -> Shape:
        """The same model for engine.transformer.param_count's formula."""
        return Shape(
            vocab=self.vocab,
            hidden=self.hidden,
            layers=self.layers,
            heads=self.heads,
            intermediate=self.intermediate,
            max_positions=self.seq_len + 1,
            embedding=self.embedding,
            shared=self.shared,
        )


class AlbertClassifier(nn.Module):
    """AlbertModel + a linear layer on the pooled [CLS] vector."""

    def __init__(self, cfg: DropoutLabConfig, dropout: float):
        super().__init__()
        with seeded(cfg.seed):  # transformers' init from the seed's own generator: both models start the same
            self.albert = AlbertModel(cfg.albert(dropout))
            self.head = nn.Linear(cfg.hidden, 2)

    def forward(self, input_ids: torch.Tensor, labels: torch.Tensor | None = None):
        """input_ids (B, T) -> (logits (B, 2), loss or None)"""
        logits = self.head(self.albert(input_ids=input_ids).pooler_output)
        return logits, (F.cross_entropy(logits, labels) if labels is not None else None)

    def encoder_params(self) -> int:
        """Parameters of the transformer layers (without the embedding projection)."""
        groups = self.albert.encoder.albert_layer_groups
        return sum(p.numel() for p in groups.parameters())


def parameter_parts(cfg: DropoutLabConfig) -> dict[str, int]:
    return bert_parts(cfg.shape())


def make_task(cfg: DropoutLabConfig) -> dict[str, torch.Tensor]:
    """Majority vote: label 1 when a sequence holds more "positive" words (ids 1..V/2) than "negative" ones. Training
    labels are flipped with probability label_noise (something to over-fit); validation labels are clean."""
    rng = np.random.default_rng(cfg.seed)
    half = (cfg.vocab - 1) // 2

    def draw(n, noise):
        words = rng.integers(1, 2 * half + 1, size=(n, cfg.seq_len))
        y = ((words <= half).sum(1) * 2 > cfg.seq_len).astype(np.int64)
        flip = rng.random(n) < noise
        x = np.concatenate([np.zeros((n, 1), dtype=np.int64), words], axis=1)  # [CLS] first
        return torch.from_numpy(x), torch.from_numpy(np.where(flip, 1 - y, y)), torch.from_numpy(y)

    x, y, y_clean = draw(cfg.n_train, cfg.label_noise)
    vx, vy, _ = draw(cfg.n_val, 0.0)
    return {"x": x, "y": y, "y_clean": y_clean, "val_x": vx, "val_y": vy}


@torch.no_grad()
def _accuracy(model: AlbertClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x)[0].argmax(-1) == y).float().mean())


def train_pair(models: list[AlbertClassifier], data: dict, cfg: DropoutLabConfig) -> Iterator[Progress]:
    """Train the models side by side on the same batches (engine.core.side_by_side; dropout masks from seed + 2).
    Metrics per model i: loss_i, and at the evaluation steps train_acc_i (on the noisy training labels it sees)
    and val_acc_i (clean held-out); loss = model 0's training loss."""
    cfg.validate()
    g = generator(cfg.seed + 1)
    named = {str(i): m for i, m in enumerate(models)}
    opts = {k: torch.optim.AdamW(m.parameters(), lr=cfg.lr, weight_decay=0.0) for k, m in named.items()}
    n = data["x"].shape[0]

    def evaluate() -> dict[str, float]:
        out = {}
        for k, m in named.items():
            out[f"train_acc_{k}"] = _accuracy(m, data["x"], data["y"])
            out[f"val_acc_{k}"] = _accuracy(m, data["val_x"], data["val_y"])
        return out

    yield from train_side_by_side(
        named,
        opts,
        batch=lambda step: torch.randint(n, (cfg.batch_size,), generator=g),
        loss=lambda k, m, idx: m(data["x"][idx], data["y"][idx])[1],
        evaluate=evaluate,
        steps=cfg.steps,
        eval_every=cfg.eval_every,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 2,
    )
