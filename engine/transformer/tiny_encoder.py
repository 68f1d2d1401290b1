"""A tiny Transformer stack whose attention mask is a switch: full (BERT's encoder) or causal (GPT's decoder).

The labs on "what may a model see?" need the *same* network with only the mask changed, so the mask is the one
difference between an encoder and a decoder here, as in the papers. Built from engine.transformer.model's layers
(Pre-LN, which trains stably for a few hundred steps without warm-up), plus learned position embeddings and a
linear output head. Masks are boolean, True = "may attend" (engine.transformer.model's convention).

    model = TinyEncoder(EncoderConfig(vocab_size=10, causal=True))
    logits, loss = model(ids, targets)           # targets -100 are ignored
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked
from engine.core.seeding import generator, seeded
from engine.transformer.model import EncoderLayer, causal_mask

IGNORE = -100


@dataclass(frozen=True)
class EncoderConfig(Checked):
    vocab_size: int
    n_out: int = 0  # output classes; 0 = vocab_size (a language-model head)
    d_model: int = 32
    n_heads: int = 2
    n_layers: int = 2
    d_ff: int = 64
    max_len: int = 32
    causal: bool = False  # False: every position sees every position (encoder); True: j <= i only (decoder)
    pad_id: int | None = None  # keys holding this id are never attended to
    seed: int = 0

    def checks(self):
        yield self.vocab_size >= 2, "vocab", "vocab_size must be at least 2"
        yield 1 <= self.d_model <= 512, "d_model", "d_model must be between 1 and 512"
        yield (
            1 <= self.n_heads <= self.d_model and self.d_model % self.n_heads == 0,
            "d_model",
            "d_model must be a multiple of n_heads",
        )
        yield 1 <= self.n_layers <= 8, "layers", "n_layers must be between 1 and 8"
        yield 1 <= self.d_ff <= 4096, "d_ff", "d_ff must be between 1 and 4096"
        yield 2 <= self.max_len <= 512, "max_len", "max_len must be between 2 and 512"
        yield self.n_out >= 0, "n_out", "n_out must be >= 0"


class TinyEncoder(nn.Module):
    """Token + position embeddings -> n_layers Pre-LN blocks (full or causal mask) -> LayerNorm -> linear head.
    forward(ids, targets=None) -> (logits (B, T, n_out), loss or None)."""

    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        d = cfg.d_model
        with seeded(cfg.seed):  # the layers' own init, never the global RNG (overwritten just below)
            self.tok = nn.Embedding(cfg.vocab_size, d)
            self.pos = nn.Embedding(cfg.max_len, d)
            self.layers = nn.ModuleList(
                EncoderLayer(d, cfg.n_heads, cfg.d_ff, 0.0, pre_ln=True) for _ in range(cfg.n_layers)
            )
            self.norm = nn.LayerNorm(d)
            self.head = nn.Linear(d, cfg.n_out or cfg.vocab_size)
        gen = generator(cfg.seed)
        with torch.no_grad():  # seeded init, no global RNG: N(0, 1) embeddings (distinct positions from step 0),
            for name, p in self.named_parameters():  # N(0, 1/fan_in) matrices, zero biases, LayerNorm γ = 1
                if name in ("tok.weight", "pos.weight"):
                    p.copy_(torch.randn(p.shape, generator=gen))
                elif p.dim() > 1:
                    p.copy_(torch.randn(p.shape, generator=gen) / p.shape[1] ** 0.5)
                elif "norm" not in name:
                    p.zero_()

    def mask(self, ids: torch.Tensor) -> torch.Tensor:
        """(B, 1, T, T) bool: the attention pattern for these ids (causal and/or padding)."""
        b, t = ids.shape
        allowed = causal_mask(t) if self.cfg.causal else torch.ones(t, t, dtype=torch.bool)
        allowed = allowed.expand(b, 1, t, t)
        if self.cfg.pad_id is not None:
            allowed = allowed & (ids != self.cfg.pad_id)[:, None, None, :]
        return allowed

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Token embeddings only (B, T, d): the leaf to differentiate through for "does i depend on j?"."""
        if ids.shape[1] > self.cfg.max_len:
            raise ValueError(f"sequence longer than max_len={self.cfg.max_len}")
        return self.tok(ids)

    def hidden(
        self, ids: torch.Tensor, tok_embeds: torch.Tensor | None = None, upto: int | None = None
    ) -> torch.Tensor:
        """Hidden states (B, T, d) after `upto` layers (all by default); tok_embeds replaces the token lookup."""
        x = self.embed(ids) if tok_embeds is None else tok_embeds
        x = x + self.pos(torch.arange(ids.shape[1]))
        m = self.mask(ids)
        for layer in self.layers[:upto]:
            x = layer(x, m)
        return x

    def forward(
        self, ids: torch.Tensor, targets: torch.Tensor | None = None, tok_embeds: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        logits = self.head(self.norm(self.hidden(ids, tok_embeds)))  # (B, T, n_out)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)
        return logits, loss

    def attention(self) -> torch.Tensor:
        """(layers, B, h, T, T) attention weights of the last forward pass."""
        return torch.stack([layer.attn for layer in self.layers])


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
