"""tf-08: why attention (and then the Transformer) replaced the fixed-vector seq2seq model — measured by length.

Task: copy a random symbol string (one length per batch, drawn from min_len..max_len). Three small models with
similar parameter counts share the interface

    states = model.encode(src)                      # (B, Ts, H): one encoder state per source position
    logits, attn = model.decode(states, tgt_in)     # (B, Tt, V), alignment (B, Tt, Ts) or None
    logits, loss = model(src, tgt_in, tgt_out)      # teacher forcing

- Seq2SeqGRU (Sutskever et al. 2014 / Cho et al. 2014): the decoder starts from the last encoder state h_T and
  never sees h_1..h_{T-1} again — the whole source must fit through one fixed-size vector.
- AttentionGRU (Bahdanau et al. 2015): additive attention e_tj = vᵀ tanh(W s_{t-1} + U h_j) over every encoder
  state; the context c_t = Σ_j α_tj h_j is fed into the decoder GRU and into the output layer.
- TransformerCopy: the small encoder–decoder Transformer of engine/transformer/model.py (1 layer each side).

Vocabulary: 0 = <pad> (never used: a batch has one length), 1 = <bos>, 2.. = the symbols.
"""

from __future__ import annotations

import math
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
from engine.transformer.model import Seq2SeqTransformer, TransformerConfig

PAD, BOS = 0, 1
MODEL_NAMES = ("seq2seq", "attn", "transformer")
MAX_LEN = 60


class LengthInputError(InputError):
    """Settings the tf-08 length comparison cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class LengthConfig(Checked):
    error = LengthInputError
    min_len: int = 5
    max_len: int = 30
    n_symbols: int = 10
    emb: int = 32  # GRU models: embedding size
    hidden: int = 64  # GRU models: hidden state size (also the attention size)
    d_model: int = 48  # Transformer width (4 heads, FFN 2·d_model, 1 encoder + 1 decoder layer)
    steps: int = 600
    batch_size: int = 32
    lr: float = 3e-3
    eval_every: int = 25
    n_buckets: int = 6  # lengths evaluated during training, evenly spread over min_len..max_len
    eval_size: int = 64  # held-out sequences per evaluated length
    clip_norm: float | None = 1.0
    seed: int = 0

    def checks(self):
        yield (
            2 <= self.min_len <= self.max_len <= MAX_LEN,
            "length",
            f"lengths must satisfy 2 <= min_len <= max_len <= {MAX_LEN}",
        )
        yield 2 <= self.n_symbols <= 100, "symbols", "n_symbols must be between 2 and 100"
        yield 1 <= self.emb <= 512 and 1 <= self.hidden <= 512, "size", "emb and hidden must be between 1 and 512"
        yield 4 <= self.d_model <= 512 and self.d_model % 4 == 0, "size", "d_model must be a multiple of 4, 4-512"
        yield 1 <= self.steps <= 20_000, "steps", "steps must be between 1 and 20000"
        yield 1 <= self.batch_size <= 512, "batch", "batch_size must be between 1 and 512"
        yield finite(self.lr) and 0.0 < self.lr <= 1.0, "lr", "learning rate must be in (0, 1]"
        yield (
            1 <= self.eval_every <= 20_000 and 1 <= self.n_buckets <= 60 and 1 <= self.eval_size <= 1024,
            "eval",
            "eval_every, n_buckets and eval_size must be positive (and modest)",
        )

    @property
    def vocab_size(self) -> int:
        return self.n_symbols + 2

    def eval_lengths(self) -> list[int]:
        """n_buckets lengths evenly spread over min_len..max_len (fewer when the range is narrow)."""
        if self.n_buckets == 1:
            return [self.max_len]
        span = self.max_len - self.min_len
        return sorted({self.min_len + round(i * span / (self.n_buckets - 1)) for i in range(self.n_buckets)})


# ------------------------------------------------------------------------------------------- data


def copy_batch(
    length: int, batch_size: int, n_symbols: int, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """src (B, L) random symbols; the target is the source itself: tgt_in = <bos> x_1..x_{L-1}, tgt_out = x_1..x_L."""
    src = torch.randint(2, 2 + n_symbols, (batch_size, length), generator=gen)
    tgt_in = torch.cat([torch.full((batch_size, 1), BOS), src[:, :-1]], dim=1)
    return src, tgt_in, src.clone()


def held_out(cfg: LengthConfig, length: int, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A fixed evaluation batch per length, from its own seed (training batches never depend on it)."""
    gen = generator(cfg.seed * 1000 + 10_007 + length)
    return copy_batch(length, n or cfg.eval_size, cfg.n_symbols, gen)


# ------------------------------------------------------------------------------------------ models


def _seeded_init(module: nn.Module, gen: torch.Generator) -> None:
    """PyTorch's default ranges, drawn from our generator: U(±1/√fan_in) for matrices and the GRU's vectors,
    N(0, 1) for embeddings."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "emb" in name:
                p.copy_(torch.randn(p.shape, generator=gen))
            elif p.dim() > 1:
                bound = 1.0 / math.sqrt(p.size(1))
                p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * bound)
            else:
                bound = 1.0 / math.sqrt(p.numel() / 3 if "gru" in name or "cell" in name else p.numel())
                p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * bound)


class _CopyModel(nn.Module):
    def forward(
        self, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        logits, _ = self.decode(self.encode(src), tgt_in)  # (B, Tt, V)
        loss = None if tgt_out is None else F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1))
        return logits, loss


class Seq2SeqGRU(_CopyModel):
    """Encoder GRU → its last state h_T is the decoder GRU's initial state; nothing else crosses over."""

    def __init__(self, cfg: LengthConfig, hidden: int | None = None):
        super().__init__()
        h = hidden or cfg.hidden
        with seeded(cfg.seed):  # the layers' own init, never the global RNG (overwritten by _seeded_init)
            self.src_emb, self.tgt_emb = nn.Embedding(cfg.vocab_size, cfg.emb), nn.Embedding(cfg.vocab_size, cfg.emb)
            self.enc_gru = nn.GRU(cfg.emb, h, batch_first=True)
            self.dec_gru = nn.GRU(cfg.emb, h, batch_first=True)
            self.out = nn.Linear(h, cfg.vocab_size)
        _seeded_init(self, generator(cfg.seed))

    def encode(self, src: torch.Tensor) -> torch.Tensor:
        return self.enc_gru(self.src_emb(src))[0]  # (B, Ts, H)

    def decode(self, states: torch.Tensor, tgt_in: torch.Tensor) -> tuple[torch.Tensor, None]:
        h_last = states[:, -1].unsqueeze(0).contiguous()  # (1, B, H): the fixed-size bottleneck
        out, _ = self.dec_gru(self.tgt_emb(tgt_in), h_last)  # (B, Tt, H)
        return self.out(out), None


class AttentionGRU(_CopyModel):
    """Bahdanau et al. (2015): at each output step t, α_t = softmax_j(vᵀ tanh(W s_{t-1} + U h_j)),
    c_t = Σ_j α_tj h_j, s_t = GRU([y_{t-1}; c_t], s_{t-1}), logits from [s_t; c_t]. The decoder starts from h_T
    (the paper uses a bidirectional encoder; one direction keeps "h_T" meaning the same in all three models)."""

    def __init__(self, cfg: LengthConfig):
        super().__init__()
        h = cfg.hidden
        with seeded(cfg.seed):  # the layers' own init, never the global RNG (overwritten by _seeded_init)
            self.src_emb, self.tgt_emb = nn.Embedding(cfg.vocab_size, cfg.emb), nn.Embedding(cfg.vocab_size, cfg.emb)
            self.enc_gru = nn.GRU(cfg.emb, h, batch_first=True)
            self.dec_cell = nn.GRUCell(cfg.emb + h, h)
            self.w_query, self.u_key = nn.Linear(h, h, bias=False), nn.Linear(h, h)
            self.v = nn.Linear(h, 1, bias=False)
            self.out = nn.Linear(2 * h, cfg.vocab_size)
        _seeded_init(self, generator(cfg.seed))

    def encode(self, src: torch.Tensor) -> torch.Tensor:
        return self.enc_gru(self.src_emb(src))[0]  # (B, Ts, H)

    def decode(self, states: torch.Tensor, tgt_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        keys = self.u_key(states)  # (B, Ts, H), computed once for all output steps
        emb = self.tgt_emb(tgt_in)  # (B, Tt, E)
        s = states[:, -1]  # (B, H)
        outs, alphas = [], []
        for t in range(tgt_in.size(1)):  # recurrent: step t needs s_{t-1}
            scores = self.v(torch.tanh(keys + self.w_query(s)[:, None])).squeeze(-1)  # (B, Ts)
            alpha = torch.softmax(scores, dim=-1)
            context = torch.bmm(alpha[:, None], states)[:, 0]  # (B, H)
            s = self.dec_cell(torch.cat([emb[:, t], context], dim=-1), s)
            outs.append(torch.cat([s, context], dim=-1))
            alphas.append(alpha)
        return self.out(torch.stack(outs, 1)), torch.stack(alphas, 1)  # (B, Tt, V), (B, Tt, Ts)


class TransformerCopy(_CopyModel):
    """engine.transformer.model.Seq2SeqTransformer (1 encoder + 1 decoder layer, 4 heads) behind the same interface;
    the alignment is the decoder's cross-attention averaged over heads."""

    def __init__(self, cfg: LengthConfig):
        super().__init__()
        self.net = Seq2SeqTransformer(
            TransformerConfig(
                vocab_size=cfg.vocab_size,
                d_model=cfg.d_model,
                n_heads=4,
                n_layers=1,
                d_ff=2 * cfg.d_model,
                max_len=MAX_LEN + 1,
                pad_id=PAD,
                seed=cfg.seed,
            )
        )

    def encode(self, src: torch.Tensor) -> torch.Tensor:
        return self.net.encode(src)[0]  # (B, Ts, d)

    def decode(self, states: torch.Tensor, tgt_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        src_mask = torch.ones(states.size(0), 1, 1, states.size(1), dtype=torch.bool)  # no padding
        logits = self.net.decode(states, src_mask, tgt_in)
        attn = self.net.decoder[-1].cross.mean(1)  # (B, h, Tt, Ts) -> (B, Tt, Ts)
        self.forget()
        return logits, attn

    def forget(self) -> None:
        """Drop the attention maps the layers keep for plots: they hold the autograd graph of the last batch in
        memory, and tensors with autograd history cannot be pickled or deep-copied."""
        for layer in list(self.net.encoder) + list(self.net.decoder):
            layer.attn = None
            if hasattr(layer, "cross"):
                layer.cross = None


class LengthModels(nn.Module):
    """The three contenders, trained side by side on the same batches."""

    def __init__(self, cfg: LengthConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.models = nn.ModuleDict(
            {
                "seq2seq": Seq2SeqGRU(cfg, hidden=_matched_hidden(cfg)),
                "attn": AttentionGRU(cfg),
                "transformer": TransformerCopy(cfg),
            }
        )

    def forward(
        self, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor | None = None
    ) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """Logits of every model; the loss is the sum of the three (their parameters are disjoint, so one
        backward pass trains each model on its own loss)."""
        out = {name: m(src, tgt_in, tgt_out) for name, m in self.models.items()}
        logits = {name: lo for name, (lo, _) in out.items()}
        loss = None if tgt_out is None else sum(ls for _, ls in out.values())
        return logits, loss

    def param_counts(self) -> dict[str, int]:
        return {name: sum(p.numel() for p in m.parameters()) for name, m in self.models.items()}


def _matched_hidden(cfg: LengthConfig) -> int:
    """The plain seq2seq has no attention weights: widen its GRUs so its parameter count is close to the attention
    model's (a fair fight: the bottleneck, not a smaller model, should explain any gap)."""
    target = sum(p.numel() for p in AttentionGRU(cfg).parameters())
    e, v = cfg.emb, cfg.vocab_size
    best = cfg.hidden
    for h in range(cfg.hidden, 4 * cfg.hidden + 1):  # params(h) = 2·3(eh + h² + 2h) + 2ve + hv + v
        if 6 * (e * h + h * h + 2 * h) + 2 * v * e + h * v + v > target:
            break
        best = h
    return best


# --------------------------------------------------------------------------------------- evaluation


@torch.no_grad()
def token_accuracy(model: _CopyModel, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor) -> float:
    """Share of target tokens predicted right (teacher-forced argmax)."""
    was = model.training
    model.eval()
    logits, _ = model(src, tgt_in)
    model.train(was)
    return float((logits.argmax(-1) == tgt_out).float().mean())


def accuracy_by_length(models: LengthModels, lengths: list[int], n: int | None = None) -> dict[str, list[float]]:
    """Held-out token accuracy of each model at each length: the tf-08 curve."""
    cfg = models.cfg
    if not lengths or min(lengths) < 1 or max(lengths) > MAX_LEN:
        raise ValueError(f"lengths must be between 1 and {MAX_LEN}")
    out: dict[str, list[float]] = {name: [] for name in models.models}
    for length in lengths:
        batch = held_out(cfg, length, n)
        for name, m in models.models.items():
            out[name].append(token_accuracy(m, *batch))
    return out


@torch.no_grad()
def alignments(models: LengthModels, length: int, index: int = 0) -> dict:
    """One held-out example of `length`: its symbols, each model's greedy-free (teacher-forced) prediction and the
    attention models' alignment matrices (Tt, Ts); rows sum to 1."""
    if not 1 <= length <= MAX_LEN:
        raise ValueError(f"length must be between 1 and {MAX_LEN}")
    src, tgt_in, tgt_out = (x[index : index + 1] for x in held_out(models.cfg, length, index + 1))
    out = {"src": src[0].tolist(), "pred": {}, "attn": {}}
    for name, m in models.models.items():
        was = m.training
        m.eval()
        logits, attn = m.decode(m.encode(src), tgt_in)
        m.train(was)
        out["pred"][name] = logits[0].argmax(-1).tolist()
        if attn is not None:
            out["attn"][name] = attn[0]
    return out


@torch.no_grad()
def encoder_noise_effect(model: _CopyModel, src: torch.Tensor, tgt_in: torch.Tensor, seed: int = 0) -> float:
    """The tf-08 check: max |Δ logits| when the encoder states h_1..h_{T-1} are replaced by Gaussian noise and h_T
    is kept. 0 for the fixed-vector seq2seq (it only ever reads h_T), > 0 for models that attend."""
    was = model.training
    model.eval()
    states = model.encode(src)  # (B, Ts, H)
    noisy = states.clone()
    gen = generator(seed)
    noisy[:, :-1] = torch.randn(noisy[:, :-1].shape, generator=gen) * states.std() + states.mean()
    a, _ = model.decode(states, tgt_in)
    b, _ = model.decode(noisy, tgt_in)
    model.train(was)
    return float((a - b).abs().max())


# ----------------------------------------------------------------------------------------- training


def train_length_models(models: LengthModels) -> Iterator[Progress]:
    """The three models side by side (engine.core.side_by_side): Adam on fresh seeded batches (one random length
    per batch), every model on the same batch each step, each clipped to norm 1. Progress.loss is the mean of the
    three losses; metrics hold each model's loss, and at the evaluation steps 'acc_<model>' (mean token accuracy
    over the evaluated lengths) and 'acc_<model>@<length>'."""
    cfg = models.cfg
    cfg.validate()
    gen = generator(cfg.seed)
    lengths = cfg.eval_lengths()
    opts = {name: torch.optim.Adam(m.parameters(), lr=cfg.lr) for name, m in models.models.items()}

    def batch(step: int):
        length = int(torch.randint(cfg.min_len, cfg.max_len + 1, (1,), generator=gen))
        return copy_batch(length, cfg.batch_size, cfg.n_symbols, gen)

    def evaluate() -> dict[str, float]:
        out = {}
        for name, values in accuracy_by_length(models, lengths).items():
            out[f"acc_{name}"] = sum(values) / len(values)
            out.update({f"acc_{name}@{length}": v for length, v in zip(lengths, values)})
        return out

    yield from train_side_by_side(
        models.models,
        opts,
        batch=batch,
        loss=lambda name, m, b: m(*b)[1],
        evaluate=evaluate,
        steps=cfg.steps,
        eval_every=cfg.eval_every,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 1,
        headline=lambda losses, metrics: sum(losses.values()) / len(losses),
    )


def latest_curves(history) -> tuple[list[int], dict[str, list[float]]] | None:
    """The newest per-length accuracies in a run's Progress history (for the live chart), or None before the first
    evaluation."""
    for p in reversed(history):
        keys = [k for k in p.metrics if k.startswith("acc_seq2seq@")]
        if keys:
            lengths = sorted(int(k.split("@")[1]) for k in keys)
            return lengths, {name: [p.metrics[f"acc_{name}@{n}"] for n in lengths] for name in MODEL_NAMES}
    return None
