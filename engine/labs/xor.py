"""ELMo-style vs BERT-style on a task that needs both sides at once (bert-07-1).

Task: a random bit string x_0..x_{T-1}; the label at position i (0 < i < T-1) is x_{i-1} XOR x_{i+1}.

- ELMo-style: a forward LSTM reads x_0..x_i, a separate backward LSTM reads x_{T-1}..x_i; their states are only
  concatenated at the top, then a classifier. With a *linear* classifier (what fine-tuning puts on top) the
  logit is u(left half) + v(right half): additive in the two halves, and no additive function computes XOR
  (u(0)+v(0) < 0 and u(1)+v(1) < 0 would force u(0)+v(1) + u(1)+v(0) < 0). So it stays near chance however
  good its LSTMs are. With an MLP on top it *can* solve this one-hop XOR - the two sides must meet somewhere, and
  ELMo leaves that to the task model (it usually gets there after a longer plateau).
- BERT-style: a Transformer encoder (engine.transformer.tiny_encoder, full attention) with the same linear classifier:
  every layer mixes both sides, so the XOR is computed inside the network.

Both get (nearly) the same parameter budget: the LSTM width is chosen to match the encoder's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress
from engine.transformer.tiny_encoder import IGNORE, EncoderConfig, TinyEncoder, n_params

HEADS = ("linear", "mlp")


class XorInputError(InputError):
    """Bad settings for the XOR lab; `.code` names the i18n message."""


@dataclass(frozen=True)
class XorConfig(Checked):
    error = XorInputError
    seq_len: int = 8
    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    d_ff: int = 64
    elmo_head: str = "linear"  # "linear" (as BERT's) | "mlp" (lets ELMo's task model do the fusion)
    batch_size: int = 64
    steps: int = 300
    lr: float = 3e-3
    eval_every: int = 10
    n_eval: int = 256
    clip_norm: float | None = 1.0
    seed: int = 0

    def checks(self):
        yield 3 <= self.seq_len <= 32, "seq_len", "the length must be between 3 and 32"
        yield 1 <= self.n_layers <= 4, "layers", "1-4 layers"
        yield 1 <= self.n_heads <= 16, "d_model", "1-16 heads"
        yield (
            4 <= self.d_model <= 128 and self.d_model % self.n_heads == 0,
            "d_model",
            "d_model 4-128, a multiple of the heads",
        )
        yield self.elmo_head in HEADS, "head", f"the head must be one of {HEADS}"
        yield 1 <= self.steps <= 20_000 and self.eval_every >= 1, "steps", "steps must be between 1 and 20000"
        yield 1 <= self.batch_size <= 1024, "batch", "the batch must be between 1 and 1024"
        yield finite(self.lr) and 0 < self.lr <= 0.1, "lr", "the learning rate must be in (0, 0.1]"


def xor_batch(n: int, length: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """x (n, T) random bits; y (n, T) = x_{i-1} XOR x_{i+1}, -100 at both ends."""
    x = torch.randint(2, (n, length), generator=generator)
    y = torch.full_like(x, IGNORE)
    y[:, 1:-1] = x[:, :-2] ^ x[:, 2:]
    return x, y


class ElmoStyle(nn.Module):
    """Two one-way LSTMs (forward over x_<=i, backward over x_>=i), concatenated at the top, then a head.
    forward(x, y=None) -> (logits (B, T, 2), loss)."""

    def __init__(self, d_model: int, hidden: int, n_layers: int, head: str = "linear", seed: int = 0):
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}")
        with seeded(seed):  # the layers' own init, never the global RNG (overwritten just below)
            self.tok = nn.Embedding(2, d_model)
            self.fwd = nn.LSTM(d_model, hidden, n_layers, batch_first=True)
            self.bwd = nn.LSTM(d_model, hidden, n_layers, batch_first=True)
            self.head = (
                nn.Linear(2 * hidden, 2)
                if head == "linear"
                else nn.Sequential(nn.Linear(2 * hidden, 2 * hidden), nn.Tanh(), nn.Linear(2 * hidden, 2))
            )
        gen = generator(seed)
        with torch.no_grad():  # seeded, without the global RNG: N(0, 1) embeddings as the encoder's, and
            for name, p in self.named_parameters():  # U(±1/√h) elsewhere, PyTorch's LSTM default
                if name == "tok.weight":
                    p.copy_(torch.randn(p.shape, generator=gen))
                else:
                    bound = 1.0 / hidden**0.5
                    p.copy_(torch.rand(p.shape, generator=gen) * 2 * bound - bound)

    def halves(self, emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """emb (B, T, d) -> (forward states (B, T, h) seeing x_<=i, backward states (B, T, h) seeing x_>=i)."""
        hf, _ = self.fwd(emb)
        hb, _ = self.bwd(emb.flip(1))
        return hf, hb.flip(1)

    def forward(
        self, x: torch.Tensor, y: torch.Tensor | None = None, tok_embeds: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        hf, hb = self.halves(self.tok(x) if tok_embeds is None else tok_embeds)
        logits = self.head(torch.cat([hf, hb], dim=-1))  # the only place the two directions meet
        loss = None if y is None else F.cross_entropy(logits.reshape(-1, 2), y.reshape(-1), ignore_index=IGNORE)
        return logits, loss


def bert_style(cfg: XorConfig) -> TinyEncoder:
    return TinyEncoder(
        EncoderConfig(
            vocab_size=2,
            n_out=2,
            d_model=cfg.d_model,
            n_heads=cfg.n_heads,
            n_layers=cfg.n_layers,
            d_ff=cfg.d_ff,
            max_len=cfg.seq_len,
            seed=cfg.seed,
        )
    )


def matched_hidden(cfg: XorConfig, budget: int) -> int:
    """The LSTM width whose ELMo-style model comes closest to `budget` parameters."""
    sizes = {h: n_params(ElmoStyle(cfg.d_model, h, cfg.n_layers, cfg.elmo_head)) for h in range(2, 129)}
    return min(sizes, key=lambda h: abs(sizes[h] - budget))


def make_models(cfg: XorConfig) -> dict[str, nn.Module]:
    cfg.validate()
    bert = bert_style(cfg)
    hidden = matched_hidden(cfg, n_params(bert))
    return {"elmo": ElmoStyle(cfg.d_model, hidden, cfg.n_layers, cfg.elmo_head, cfg.seed), "bert": bert}


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    logits, _ = model(x)
    keep = y != IGNORE
    return float((logits.argmax(-1)[keep] == y[keep]).float().mean())


def train_xor(models: dict[str, nn.Module], cfg: XorConfig) -> Iterator[Progress]:
    """Both models side by side (engine.core.side_by_side), one Adam step each per yielded step on the same fresh
    batch, gradients clipped to norm 1. Progress.loss = the BERT-style loss (or the first model's); metrics
    loss_<name>, and at the evaluation steps acc_<name> on held-out strings."""
    cfg.validate()
    g = generator(cfg.seed + 1)
    held_out = xor_batch(cfg.n_eval, cfg.seq_len, g)
    opts = {k: torch.optim.Adam(m.parameters(), lr=cfg.lr) for k, m in models.items()}
    yield from train_side_by_side(
        models,
        opts,
        batch=lambda step: xor_batch(cfg.batch_size, cfg.seq_len, g),
        loss=lambda name, model, batch: model(*batch)[1],
        evaluate=lambda: {f"acc_{k}": accuracy(m, *held_out) for k, m in models.items()},
        steps=cfg.steps,
        eval_every=cfg.eval_every,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 2,
        headline=lambda losses, metrics: losses.get("bert", next(iter(losses.values()))),
    )


def _jacobian_mask(fn, emb: torch.Tensor) -> torch.Tensor:
    """(T, T) bool: does output position i (rows) change with input embedding j (columns)? fn: (T, d) -> (T, k)."""
    jac = torch.autograd.functional.jacobian(fn, emb)  # (T, k, T, d)
    return jac.abs().sum(dim=(1, 3)) > 0


def dependency_masks(models: dict[str, nn.Module], length: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """Measured by autograd on the real models: ELMo's forward half and backward half, BERT's first layer and
    its output. Keys: elmo_fwd, elmo_bwd, bert_layer1, bert_out."""
    x = torch.randint(2, (1, length), generator=generator(seed))
    elmo, bert = models["elmo"], models["bert"]
    elmo.eval()
    bert.eval()
    e_emb = elmo.tok(x)[0].detach()
    b_emb = bert.embed(x)[0].detach()
    return {
        "elmo_fwd": _jacobian_mask(lambda e: elmo.halves(e[None])[0][0], e_emb),
        "elmo_bwd": _jacobian_mask(lambda e: elmo.halves(e[None])[1][0], e_emb),
        "bert_layer1": _jacobian_mask(lambda e: bert.hidden(x, e[None], upto=1)[0], b_emb),
        "bert_out": _jacobian_mask(lambda e: bert(x, tok_embeds=e[None])[0][0], b_emb),
    }
