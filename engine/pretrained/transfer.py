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

import torch
from torch import nn

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


class TransferClassifier(nn.Module):
    def __init__(self, encoder: TinyMLM, n_classes: int, mode: str, stage: int = 1, adapter_dim: int = 4):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.encoder, self.mode = encoder, mode
        cfg = encoder.cfg
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
    g = torch.Generator().manual_seed(seed)
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


def make_pair(pretrained: TinyMLM, seed: int = 0) -> dict[str, TransferClassifier]:
    """A classifier on a copy of the pretrained encoder and a twin on a random encoder, with the same seeded head."""
    import copy
    from dataclasses import replace

    models = {
        "pretrained": TransferClassifier(copy.deepcopy(pretrained), len(TOPICS), "full"),
        "random": TransferClassifier(TinyMLM(replace(pretrained.cfg, seed=seed + 99)), len(TOPICS), "full"),
    }
    for m in models.values():  # only the encoder's init differs
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            m.head.weight.copy_(torch.randn(m.head.weight.shape, generator=g) * 0.1)
            m.head.bias.zero_()
    return models


def finetune_pair(
    models: dict[str, TransferClassifier], task: tuple, steps: int = 150, lr: float = 3e-3, seed: int = 0
):
    """Fine-tune both classifiers of make_pair(...) on the same batches.

    Yields Progress(loss = pretrained val loss, metrics = val loss and accuracy of both).
    """
    from engine.core.train import Progress

    xt, yt, xv, yv = task
    opts = {k: torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=lr) for k, m in models.items()}
    gb = torch.Generator().manual_seed(seed + 1)
    for step in range(steps):
        idx = torch.randint(len(xt), (min(32, len(xt)),), generator=gb)
        metrics = {}
        for k, m in models.items():
            m.train()
            loss = m(xt[idx], yt[idx])[1]
            opts[k].zero_grad()
            loss.backward()
            opts[k].step()
            m.eval()
            with torch.no_grad():
                logits, vloss = m(xv, yv)
            metrics[f"val_{k}"] = float(vloss)
            metrics[f"acc_{k}"] = float((logits.argmax(-1) == yv).float().mean())
        yield Progress(step + 1, steps, metrics["val_pretrained"], metrics)


def layer_shares(clf: TransferClassifier) -> list[float]:
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
