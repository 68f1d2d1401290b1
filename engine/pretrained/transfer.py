"""Transfer strategies for a pretrained encoder (ptm-06): which parameters train downstream.

    features   frozen encoder, only the new task head trains (ELMo-style feature extraction)
    embedding  keep only the pretrained embeddings (word2vec/GloVe style) frozen; layers + head train
    top        freeze everything but the top layer and the head
    full       fine-tune everything (BERT)
    adapters   frozen encoder + a small bottleneck adapter after every layer (Houlsby et al. 2019)
    gradual    ULMFiT's gradual unfreezing: at stage s the top s layers (and the head) train

The encoder is the TinyMLM of engine/pretrained/compression.py (its MLM head is dropped; a mean-pool + linear head is new).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Iterator

import torch
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress
from engine.pretrained.compression import PAD, MLMConfig, TinyMLM

MODES = ("features", "embedding", "top", "full", "adapters", "gradual")


class Adapter(nn.Module):
    def __init__(self, d: int, r: int):
        super().__init__()
        self.down, self.up = nn.Linear(d, r), nn.Linear(r, d)
        nn.init.zeros_(self.up.weight)  # starts as the identity map: h + 0
        nn.init.zeros_(self.up.bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.up(torch.relu(self.down(h)))


class TransferStrategyClassifier(nn.Module):
    """A TinyMLM encoder (used as given, not copied) + optional adapters + mean pooling + a new linear head, with
    the parameters that train chosen by a transfer strategy (MODES; `stage` for gradual unfreezing).
    forward(ids, targets=None) -> (logits (B, n_classes), loss or None)."""

    def __init__(
        self, encoder: TinyMLM, n_classes: int, mode: str, stage: int = 1, adapter_dim: int = 4, seed: int = 0
    ):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.encoder, self.mode = encoder, mode
        cfg = encoder.cfg
        with seeded(seed):  # the new layers' default init, from the seed (never the global RNG)
            self.adapters = (
                nn.ModuleList([Adapter(cfg.d_model, adapter_dim) for _ in range(cfg.n_layers)])
                if mode == "adapters"
                else None
            )
            self.head = nn.Linear(cfg.d_model, n_classes)
        self._freeze(stage)

    def _freeze(self, stage: int) -> None:
        enc = self.encoder
        for p in enc.parameters():
            p.requires_grad = self.mode == "full"
        if self.mode == "embedding":
            for layer in enc.layers:
                layer.requires_grad_(True)
        elif self.mode == "top":
            enc.layers[-1].requires_grad_(True)
        elif self.mode == "gradual":
            for layer in list(enc.layers)[::-1][: max(stage - 1, 0)]:  # stage 1: head only; +1 layer per stage
                layer.requires_grad_(True)
        enc.head.requires_grad_(False)  # the MLM head is not used downstream

    def forward(self, ids: torch.Tensor, targets: torch.Tensor | None = None):
        enc = self.encoder
        h = enc.tok(ids) + enc.pos(torch.arange(ids.shape[1]))  # (B, T, d)
        pad = ids == PAD
        for i in range(enc.cfg.n_layers):
            h = enc.layers[0 if enc.cfg.share_layers else i](h, pad)
            if self.adapters is not None:
                h = self.adapters[i](h)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1)  # mean over real tokens, (B, d)
        logits = self.head(pooled)
        loss = None if targets is None else nn.functional.cross_entropy(logits, targets)
        return logits, loss

    def trainable(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def parts(cfg: MLMConfig, n_classes: int, adapter_dim: int = 4) -> dict[str, int]:
    """Closed-form parameter counts of each part (what the layer diagram and the bars show)."""
    d, f = cfg.d_model, cfg.d_ff
    layer = (3 * d * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d) + 4 * d  # qkv, out, ffn, 2 LayerNorms
    return {
        "embeddings": cfg.vocab_size * d + cfg.max_len * d,
        "layer": layer,
        "adapter": 2 * d * adapter_dim + adapter_dim + d,
        "head": d * n_classes + n_classes,
    }


def trainable_closed_form(cfg: MLMConfig, n_classes: int, mode: str, stage: int = 1, adapter_dim: int = 4) -> int:
    p = parts(cfg, n_classes, adapter_dim)
    n_layer_sets = 1 if cfg.share_layers else cfg.n_layers
    layers = {
        "features": 0,
        "embedding": n_layer_sets,
        "top": 1,
        "full": n_layer_sets,
        "adapters": 0,
        "gradual": min(max(stage - 1, 0), n_layer_sets),
    }[mode]
    total = p["head"] + layers * p["layer"]
    if mode == "full":
        total += p["embeddings"]
    if mode == "adapters":
        total += cfg.n_layers * p["adapter"]
    return total


# ---------------------------------------------------------------- why pre-train (ptm-01)
TOPICS = {  # the word clusters of assets/corpora/toy_en.txt (make_toy_corpora.py)
    "animal": ["cat", "dog", "kitten", "puppy", "horse", "rabbit"],
    "food": ["bread", "rice", "apple", "cheese", "soup", "noodles"],
    "royal": ["king", "queen", "prince", "princess", "emperor", "duke"],
    "vehicle": ["car", "bus", "train", "bicycle", "truck", "plane"],
    "colour": ["red", "blue", "green", "yellow", "black", "white"],
}


def topic_task(
    sentences: list[list[str]], stoi: dict[str, int], n_train: int, max_len: int, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A topic task pretraining should help with: the topic word is put into a template taken from a random
    sentence of *any* topic (so the template is noise), and validation uses topic words never seen labelled.

    Returns (x_train, y_train, x_val, y_val); ids are corpus ids + 2 (PAD and [MASK] reserved), as in the MLM.
    """
    g = generator(seed)
    word_topic = {w: i for i, ws in enumerate(TOPICS.values()) for w in ws}
    templates = []
    for s in sentences:
        hits = [j for j, w in enumerate(s) if w in word_topic]
        if len(hits) == 1 and all(w in stoi for w in s):
            templates.append((s, hits[0]))
    if not templates:
        raise ValueError("the corpus has no topic sentences")
    seen = {w for ws in TOPICS.values() for w in ws[:4]}  # 4 words per topic labelled, 2 held out

    def make(n: int, words: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.zeros(n, max_len, dtype=torch.long)
        y = torch.zeros(n, dtype=torch.long)
        for i in range(n):
            s, j = templates[int(torch.randint(len(templates), (1,), generator=g))]
            w = words[int(torch.randint(len(words), (1,), generator=g))]
            toks = (s[:j] + [w] + s[j + 1 :])[:max_len]
            x[i, : len(toks)] = torch.tensor([stoi[t] + 2 for t in toks])
            y[i] = word_topic[w]
        return x, y

    held = [w for w in word_topic if w not in seen and w in stoi]
    xt, yt = make(n_train, sorted(seen & set(stoi)))
    xv, yv = make(200, held)
    return xt, yt, xv, yv


def make_pair(pretrained: TinyMLM, seed: int = 0) -> dict[str, TransferStrategyClassifier]:
    """A classifier on a copy of the pretrained encoder and a twin on a random encoder, with the same seeded head."""
    models = {
        "pretrained": TransferStrategyClassifier(copy.deepcopy(pretrained), len(TOPICS), "full", seed=seed),
        "random": TransferStrategyClassifier(
            TinyMLM(replace(pretrained.cfg, seed=seed + 99)), len(TOPICS), "full", seed=seed
        ),
    }
    for m in models.values():  # only the encoder's init differs
        g = generator(seed)
        with torch.no_grad():
            m.head.weight.copy_(torch.randn(m.head.weight.shape, generator=g) * 0.1)
            m.head.bias.zero_()
    return models


class FinetuneInputError(InputError):
    """Settings the pretrained-vs-random fine-tuning cannot use; `.code` names the reason."""


@dataclass(frozen=True)
class FinetuneConfig(Checked):
    """Fine-tuning both classifiers of make_pair(...) (ptm-01)."""

    error = FinetuneInputError
    steps: int = 150
    lr: float = 3e-3
    batch_size: int = 32
    eval_every: int = 1  # the page plots the validation curves of every step
    clip_norm: float | None = None
    seed: int = 0

    def checks(self):
        yield 1 <= self.steps <= 20_000 and self.eval_every >= 1, "steps", "steps must be between 1 and 20000"
        yield 1 <= self.batch_size <= 1024, "batch", "the batch must be between 1 and 1024"
        yield finite(self.lr) and 0 < self.lr <= 1, "lr", "the learning rate must be in (0, 1]"


def finetune_pair(
    models: dict[str, TransferStrategyClassifier], task: tuple, cfg: FinetuneConfig = FinetuneConfig()
) -> Iterator[Progress]:
    """Fine-tune both classifiers of make_pair(...) side by side on the same batches (engine.core.side_by_side).

    Yields Progress(loss = pretrained val loss, metrics = val loss and accuracy of both at the evaluation steps).
    """
    cfg.validate()
    xt, yt, xv, yv = task
    opts = {k: torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=cfg.lr) for k, m in models.items()}
    gb = generator(cfg.seed + 1)

    def evaluate() -> dict[str, float]:
        out = {}
        for k, m in models.items():
            logits, vloss = m(xv, yv)
            out[f"val_{k}"] = float(vloss)
            out[f"acc_{k}"] = float((logits.argmax(-1) == yv).float().mean())
        return out

    yield from train_side_by_side(
        models,
        opts,
        batch=lambda step: torch.randint(len(xt), (min(cfg.batch_size, len(xt)),), generator=gb),
        loss=lambda k, m, idx: m(xt[idx], yt[idx])[1],
        evaluate=evaluate,
        steps=cfg.steps,
        eval_every=cfg.eval_every,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 2,
        loss_key=None,
        headline=lambda losses, metrics: metrics.get("val_pretrained", losses[next(iter(losses))]),
    )


def layer_shares(clf: TransferStrategyClassifier) -> list[float]:
    """Trainable share of each part, bottom to top: embeddings, every layer (with its adapter), the task head."""

    def share(params) -> float:
        params = list(params)
        total = sum(p.numel() for p in params)
        return sum(p.numel() for p in params if p.requires_grad) / total if total else 0.0

    enc = clf.encoder
    out = [share([*enc.tok.parameters(), *enc.pos.parameters()])]
    for i in range(enc.cfg.n_layers):
        layer = enc.layers[0 if enc.cfg.share_layers else i]
        extra = list(clf.adapters[i].parameters()) if clf.adapters is not None else []
        out.append(share([*layer.parameters(), *extra]))
    return out + [share(clf.head.parameters())]
