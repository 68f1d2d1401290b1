"""Transfer strategies for a pretrained encoder (ptm-06): which parameters train downstream.

    features   frozen encoder, only the new task head trains (ELMo-style feature extraction)
    embedding  keep only the pretrained embeddings (word2vec/GloVe style) frozen; layers + head train
    top        freeze everything but the top layer and the head
    full       fine-tune everything (BERT)
    adapters   frozen encoder + a small bottleneck adapter after every layer (Houlsby et al. 2019)
    gradual    ULMFiT's gradual unfreezing: at stage s the top s layers (and the head) train

The encoder is the TinyMLM of engine/compression.py (its MLM head is dropped; a mean-pool + linear head is new).
"""
from __future__ import annotations

import torch
from torch import nn

from engine.compression import PAD, MLMConfig, TinyMLM

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
        self.adapters = nn.ModuleList([Adapter(cfg.d_model, adapter_dim) for _ in range(cfg.n_layers)]) \
            if mode == "adapters" else None
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
            for layer in list(enc.layers)[::-1][:max(stage - 1, 0)]:  # stage 1: head only; +1 layer per stage
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
    return {"embeddings": cfg.vocab_size * d + cfg.max_len * d, "layer": layer,
            "adapter": 2 * d * adapter_dim + adapter_dim + d, "head": d * n_classes + n_classes}


def trainable_closed_form(cfg: MLMConfig, n_classes: int, mode: str, stage: int = 1, adapter_dim: int = 4) -> int:
    p = parts(cfg, n_classes, adapter_dim)
    n_layer_sets = 1 if cfg.share_layers else cfg.n_layers
    layers = {"features": 0, "embedding": n_layer_sets, "top": 1, "full": n_layer_sets, "adapters": 0,
              "gradual": min(max(stage - 1, 0), n_layer_sets)}[mode]
    total = p["head"] + layers * p["layer"]
    if mode == "full":
        total += p["embeddings"]
    if mode == "adapters":
        total += cfg.n_layers * p["adapter"]
    return total
