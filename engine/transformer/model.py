"""The Transformer of "Attention Is All You Need", small enough to read and to train on a CPU.

Written in the spirit of the Annotated Transformer: every piece is a short function or module, batch-first,
with the shape of every non-obvious tensor in a comment. Masks are boolean and **True means "may attend"**,
the convention of `torch.nn.functional.scaled_dot_product_attention`.

    cfg = TransformerConfig(vocab_size=13, d_model=64, n_heads=4, n_layers=2, d_ff=128, seed=0)
    model = Seq2SeqTransformer(cfg)
    logits, loss = model(src, tgt_in, tgt_out)     # teacher forcing: one parallel pass over the target
    steps = greedy_decode(model, src[0], bos=1, eos=2, max_len=12)
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.train import Progress

# --------------------------------------------------------------------------------------------- attention


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None, *, scale: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q Kᵀ / √d_k) V  (Vaswani et al. 2017, eq. 1).

    q: (..., Tq, d_k), k: (..., Tk, d_k), v: (..., Tk, d_v); mask broadcastable to (..., Tq, Tk), True = may attend.
    Returns (out (..., Tq, d_v), weights (..., Tq, Tk)). A query row with nothing to attend to gets zeros.
    """
    scores = q @ k.transpose(-2, -1)  # (..., Tq, Tk)
    if scale:
        scores = scores / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = torch.nan_to_num(weights, nan=0.0)  # fully masked rows: softmax of all -inf is NaN
    return weights @ v, weights


def causal_mask(n: int, device: torch.device | None = None) -> torch.Tensor:
    """(n, n) bool, True on and below the diagonal: position i may look at positions ≤ i."""
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()


def padding_mask(tokens: torch.Tensor, pad_id: int) -> torch.Tensor:
    """(B, T) tokens -> (B, 1, 1, T) bool, True for real tokens: no query may attend to padding keys."""
    return (tokens != pad_id)[:, None, None, :]


class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1..head_h) W^O, head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V).

    The h projections of size d_k = d_model / h are done as one d_model × d_model matrix and then split,
    so h heads cost about as much as one full-width head. Parameters: 4·d² + 4·d for any h.
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model, self.n_heads, self.d_k = d_model, n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.dropout = nn.Dropout(dropout)
        self.head_mask: torch.Tensor | None = None  # (h,) 1 = keep, 0 = pruned (Michel et al. 2019 ablation)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.n_heads, self.d_k).transpose(1, 2)  # (B, h, T, d_k)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, Tq, d), key/value (B, Tk, d), mask broadcastable to (B, h, Tq, Tk).

        Returns (out (B, Tq, d), weights (B, h, Tq, Tk)) — per-head weights, before dropout."""
        q, k, v = self._split(self.q_proj(query)), self._split(self.k_proj(key)), self._split(self.v_proj(value))
        _, weights = scaled_dot_product_attention(q, k, v, mask)
        heads = self.dropout(weights) @ v  # (B, h, Tq, d_k)
        if self.head_mask is not None:
            heads = heads * self.head_mask[:, None, None]
        b, _, tq, _ = heads.shape
        out = heads.transpose(1, 2).reshape(b, tq, self.d_model)  # concat the heads
        return self.out_proj(out), weights


# --------------------------------------------------------------------------------------- positions


def positional_encoding(n_positions: int, d_model: int) -> torch.Tensor:
    """Sinusoidal PE (n_positions, d_model): PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(…)."""
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (n, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (ceil(d/2),)
    angle = pos / torch.pow(10000.0, two_i / d_model)  # (n, ceil(d/2))
    pe = torch.zeros(n_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe.float()


def pe_rotation(offset: int, d_model: int) -> torch.Tensor:
    """The fixed matrix R_k with PE[pos + k] = R_k · PE[pos] for every pos (block-diagonal 2×2 rotations).

    sin(a + b) = sin a cos b + cos a sin b and cos(a + b) = cos a cos b − sin a sin b, with b = k·ω_i.
    """
    r = torch.zeros(d_model, d_model, dtype=torch.float64)
    for j in range(0, d_model, 2):
        w = 1.0 / 10000.0 ** (j / d_model)
        c, s = math.cos(offset * w), math.sin(offset * w)
        if j + 1 < d_model:
            r[j, j], r[j, j + 1], r[j + 1, j], r[j + 1, j + 1] = c, s, -s, c
        else:  # odd d_model: the last sin has no cos partner; it is not linear in PE[pos] alone
            r[j, j] = c
    return r


# ------------------------------------------------------------------------------------------ layers


class FeedForward(nn.Module):
    """FFN(x) = max(0, x W1 + b1) W2 + b2, applied to every position separately."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class SublayerConnection(nn.Module):
    """Add & Norm. Post-LN (the paper): LayerNorm(x + Sublayer(x)). Pre-LN: x + Sublayer(LayerNorm(x))."""

    def __init__(self, d_model: int, dropout: float = 0.0, pre_ln: bool = False):
        super().__init__()
        self.norm, self.dropout, self.pre_ln = nn.LayerNorm(d_model), nn.Dropout(dropout), pre_ln

    def forward(self, x: torch.Tensor, sublayer) -> torch.Tensor:
        if self.pre_ln:
            return x + self.dropout(sublayer(self.norm(x)))
        return self.norm(x + self.dropout(sublayer(x)))


class EncoderLayer(nn.Module):
    """Self-attention, then the FFN, each wrapped in Add & Norm. Keeps its last attention weights for plots."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, pre_ln: bool = False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.sub1 = SublayerConnection(d_model, dropout, pre_ln)
        self.sub2 = SublayerConnection(d_model, dropout, pre_ln)
        self.attn: torch.Tensor | None = None  # (B, h, T, T) from the last forward

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        def attend(y: torch.Tensor) -> torch.Tensor:
            out, self.attn = self.self_attn(y, y, y, mask)
            return out

        return self.sub2(self.sub1(x, attend), self.ffn)


class DecoderLayer(nn.Module):
    """Masked self-attention, encoder–decoder (cross) attention (Q from the decoder, K and V from the encoder
    output), then the FFN; each wrapped in Add & Norm."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, pre_ln: bool = False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout)
        self.sub1, self.sub2, self.sub3 = (SublayerConnection(d_model, dropout, pre_ln) for _ in range(3))
        self.attn: torch.Tensor | None = None  # (B, h, Tt, Tt)
        self.cross: torch.Tensor | None = None  # (B, h, Tt, Ts)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        tgt_mask: torch.Tensor | None = None,
        src_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        def self_attend(y: torch.Tensor) -> torch.Tensor:
            out, self.attn = self.self_attn(y, y, y, tgt_mask)
            return out

        def cross_attend(y: torch.Tensor) -> torch.Tensor:
            out, self.cross = self.cross_attn(y, memory, memory, src_mask)
            return out

        return self.sub3(self.sub2(self.sub1(x, self_attend), cross_attend), self.ffn)


# ------------------------------------------------------------------------------------------- model


class TransformerInputError(InputError):
    """Settings no Transformer of this page can be built or trained with; `.code` names the reason."""


@dataclass(frozen=True)
class TransformerConfig(Checked):
    """The encoder–decoder's shape; validate() raises TransformerInputError (a ValueError) with a plain reason
    for settings no model can be built from."""

    error = TransformerInputError
    vocab_size: int = 13
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2  # encoder layers = decoder layers
    d_ff: int = 128
    dropout: float = 0.0
    pre_ln: bool = False
    max_len: int = 64
    pad_id: int = 0
    use_pe: bool = True
    seed: int = 0

    def checks(self):
        yield self.vocab_size >= 2, "vocab", "vocab_size must be at least 2"
        yield 1 <= self.d_model <= 1024, "d_model", "d_model must be between 1 and 1024"
        yield 1 <= self.n_heads <= self.d_model, "heads", "n_heads must be between 1 and d_model"
        yield (
            self.d_model % self.n_heads == 0,
            "heads",
            f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}",
        )
        yield 1 <= self.n_layers <= 24, "layers", "n_layers must be between 1 and 24"
        yield 1 <= self.d_ff <= 8192, "d_ff", "d_ff must be between 1 and 8192"
        yield finite(self.dropout) and 0.0 <= self.dropout < 1.0, "dropout", "dropout must be in [0, 1)"
        yield self.max_len >= 2, "max_len", "max_len must be at least 2"


class Seq2SeqTransformer(nn.Module):
    """Encoder–decoder Transformer. forward(src, tgt_in, tgt_out=None) -> (logits, loss)."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        gen = generator(cfg.seed)
        d = cfg.d_model
        with seeded(cfg.seed):  # the layers' own init, never the global RNG (overwritten just below)
            self.src_embed = nn.Embedding(cfg.vocab_size, d)
            self.tgt_embed = nn.Embedding(cfg.vocab_size, d)
            self.register_buffer("pe", positional_encoding(cfg.max_len, d), persistent=False)
            args = (d, cfg.n_heads, cfg.d_ff, cfg.dropout, cfg.pre_ln)
            self.encoder = nn.ModuleList(EncoderLayer(*args) for _ in range(cfg.n_layers))
            self.decoder = nn.ModuleList(DecoderLayer(*args) for _ in range(cfg.n_layers))
            # Pre-LN leaves the residual stream un-normalised: a final LayerNorm closes each stack.
            self.enc_norm = nn.LayerNorm(d) if cfg.pre_ln else nn.Identity()
            self.dec_norm = nn.LayerNorm(d) if cfg.pre_ln else nn.Identity()
            self.generator = nn.Linear(d, cfg.vocab_size)
            self.embed_dropout = nn.Dropout(cfg.dropout)
        with torch.no_grad():  # seeded init: Xavier for matrices (as the Annotated Transformer), zero biases
            for name, p in self.named_parameters():
                if p.dim() > 1:
                    bound = math.sqrt(6.0 / (p.size(0) + p.size(1)))
                    p.copy_(torch.rand(p.shape, generator=gen) * 2 * bound - bound)
                elif "norm" not in name:  # LayerNorm keeps γ = 1, β = 0
                    p.zero_()

    def _embed(self, table: nn.Embedding, tokens: torch.Tensor) -> torch.Tensor:
        x = table(tokens) * math.sqrt(self.cfg.d_model)  # (B, T, d); the paper scales embeddings by √d
        if self.cfg.use_pe:
            x = x + self.pe[: tokens.size(1)]
        return self.embed_dropout(x)

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """src (B, Ts) -> (memory (B, Ts, d), src_mask (B, 1, 1, Ts))."""
        if src.size(1) > self.cfg.max_len:
            raise ValueError(f"sequence longer than max_len={self.cfg.max_len}")
        src_mask = padding_mask(src, self.cfg.pad_id)
        x = self._embed(self.src_embed, src)
        for layer in self.encoder:
            x = layer(x, src_mask)
        return self.enc_norm(x), src_mask

    def decode(self, memory: torch.Tensor, src_mask: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """tgt_in (B, Tt) -> logits (B, Tt, V). Causal and padding masks combined: (B, 1, Tt, Tt)."""
        if tgt_in.size(1) > self.cfg.max_len:
            raise ValueError(f"sequence longer than max_len={self.cfg.max_len}")
        tgt_mask = padding_mask(tgt_in, self.cfg.pad_id) & causal_mask(tgt_in.size(1), tgt_in.device)
        x = self._embed(self.tgt_embed, tgt_in)
        for layer in self.decoder:
            x = layer(x, memory, tgt_mask, src_mask)
        return self.generator(self.dec_norm(x))

    def forward(
        self, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        memory, src_mask = self.encode(src)
        logits = self.decode(memory, src_mask, tgt_in)  # (B, Tt, V)
        loss = None
        if tgt_out is not None:
            loss = F.cross_entropy(
                logits.reshape(-1, logits.size(-1)), tgt_out.reshape(-1), ignore_index=self.cfg.pad_id
            )
        return logits, loss


@dataclass(frozen=True)
class DecodeStep:
    prefix: list[int]  # decoder input at this step (starts with BOS)
    token: int  # argmax chosen
    top: list[tuple[int, float]]  # top-3 (token, probability)
    cross: torch.Tensor  # (layers, h, Ts) cross-attention of the new position


@torch.no_grad()
def greedy_decode(
    model: Seq2SeqTransformer, src: torch.Tensor, *, bos: int, eos: int, max_len: int
) -> list[DecodeStep]:
    """Autoregressive inference for one source sequence src (Ts,): the decoder is fed its own previous
    outputs, one new token per step, until EOS or max_len. (Recomputes the whole prefix each step —
    no KV cache — which keeps it obviously equal to the parallel teacher-forced pass.)"""
    was_training = model.training
    model.eval()
    memory, src_mask = model.encode(src[None])
    prefix, steps = [bos], []
    for _ in range(max_len):
        logits = model.decode(memory, src_mask, torch.tensor([prefix]))[0, -1]  # (V,)
        probs = torch.softmax(logits, -1)
        top = torch.topk(probs, k=min(3, probs.numel()))
        token = int(top.indices[0])
        cross = torch.stack([layer.cross[0, :, -1] for layer in model.decoder])  # (L, h, Ts)
        steps.append(
            DecodeStep(list(prefix), token, [(int(i), float(p)) for p, i in zip(top.values, top.indices)], cross)
        )
        prefix.append(token)
        if token == eos:
            break
    model.train(was_training)
    return steps


# ---------------------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainConfig(Checked):
    error = TransformerInputError
    steps: int = 600
    batch_size: int = 64
    lr: float = 1e-3
    warmup: int = 50
    eval_every: int = 25
    seed: int = 0

    def checks(self):
        yield 1 <= self.steps <= 100_000, "steps", "steps must be between 1 and 100000"
        yield 1 <= self.batch_size <= 4096, "batch", "batch_size must be between 1 and 4096"
        yield finite(self.lr) and 0.0 < self.lr <= 1.0, "lr", "learning rate must be in (0, 1]"
        yield self.warmup >= 0 and self.eval_every >= 1, "schedule", "warm-up >= 0 and eval_every >= 1"


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warm-up, then linear decay to 10 % (the paper warms up too; a decay settles the toy run)."""
    warm = (step + 1) / max(cfg.warmup, 1)
    decay = 1.0 - 0.9 * max(0, step - cfg.warmup) / max(cfg.steps - cfg.warmup, 1)
    return cfg.lr * min(warm, decay)


def train_seq2seq(model: Seq2SeqTransformer, task, cfg: TrainConfig) -> Iterator[Progress]:
    """Adam on fresh seeded batches of a toy task (engine.transformer.toy_tasks); yields Progress with the held-out
    exact-match accuracy ("acc", whole sequence right, teacher-forced argmax) every `eval_every` steps."""
    cfg.validate()
    gen = generator(cfg.seed)
    masks = generator(cfg.seed + 1)  # dropout masks (TransformerConfig.dropout > 0)
    held_out = task.held_out(256)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), eps=1e-9)
    for step in range(cfg.steps):
        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        model.train()
        src, tgt_in, tgt_out = task.batch(cfg.batch_size, gen)
        opt.zero_grad(set_to_none=True)
        with seeded(masks):
            _, loss = model(src, tgt_in, tgt_out)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        metrics = {"lr": lr_at(step, cfg)}
        if (step + 1) % cfg.eval_every == 0 or step + 1 == cfg.steps:
            metrics["acc"] = sequence_accuracy(model, *held_out)
        yield Progress(step + 1, cfg.steps, loss.item(), metrics)


@torch.no_grad()
def sequence_accuracy(
    model: Seq2SeqTransformer, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor
) -> float:
    """Share of sequences whose every non-pad target token is the argmax (teacher-forced)."""
    was_training = model.training
    model.eval()
    logits, _ = model(src, tgt_in)
    model.train(was_training)
    keep = tgt_out != model.cfg.pad_id
    right = (logits.argmax(-1) == tgt_out) | ~keep
    return float(right.all(dim=1).float().mean())


@torch.no_grad()
def head_ablation(
    model: Seq2SeqTransformer, src: torch.Tensor, tgt_in: torch.Tensor, tgt_out: torch.Tensor
) -> dict[str, list[float]]:
    """Loss increase on a held-out batch when one head at a time is switched off ("Are Sixteen Heads Really
    Better than One?"). Keys 'enc L<i>', 'dec-self L<i>', 'dec-cross L<i>' → one value per head."""
    was_training = model.training
    model.eval()
    base = float(model(src, tgt_in, tgt_out)[1])
    blocks = [(f"enc L{i + 1}", layer.self_attn) for i, layer in enumerate(model.encoder)]
    for i, layer in enumerate(model.decoder):
        blocks += [(f"dec-self L{i + 1}", layer.self_attn), (f"dec-cross L{i + 1}", layer.cross_attn)]
    out: dict[str, list[float]] = {}
    for name, mha in blocks:
        deltas = []
        for h in range(mha.n_heads):
            mha.head_mask = torch.ones(mha.n_heads)
            mha.head_mask[h] = 0.0
            deltas.append(float(model(src, tgt_in, tgt_out)[1]) - base)
        mha.head_mask = None
        out[name] = deltas
    model.train(was_training)
    return out


# --------------------------------------------------------------------------- why scale by √d_k (tf-11)


def scaling_stats(d_k: int, *, n_samples: int = 20_000, n_keys: int = 10, seed: int = 0) -> dict[str, float]:
    """For q, k with iid N(0, 1) entries: var(q·k) (≈ d_k), var after /√d_k (≈ 1), and for a row of n_keys
    scores the mean max softmax probability and the mean Frobenius norm of the softmax Jacobian
    diag(p) − p pᵀ, unscaled vs scaled. Large d_k without scaling → one-hot softmax, vanishing gradient."""
    if not 1 <= d_k <= 4096:
        raise ValueError("d_k must be between 1 and 4096")
    gen = generator(seed)
    q = torch.randn(n_samples, d_k, generator=gen, dtype=torch.float64)
    k = torch.randn(n_samples, d_k, generator=gen, dtype=torch.float64)
    dots = (q * k).sum(-1)  # (n_samples,)
    rows = dots[: (n_samples // n_keys) * n_keys].view(-1, n_keys)  # (R, n_keys) independent score rows
    out = {"var": float(dots.var()), "var_scaled": float((dots / math.sqrt(d_k)).var())}
    for name, s in (("raw", rows), ("scaled", rows / math.sqrt(d_k))):
        p = torch.softmax(s, -1)
        jac = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]  # (R, n, n)
        out[f"maxp_{name}"] = float(p.max(-1).values.mean())
        out[f"jac_{name}"] = float(jac.flatten(1).norm(dim=1).mean())
    return out


def softmax_jacobian(p: torch.Tensor) -> torch.Tensor:
    """∂softmax(s)/∂s = diag(p) − p pᵀ for one probability vector p (n,)."""
    return torch.diag(p) - torch.outer(p, p)


# ---------------------------------------------------------------- the self-attention calculator (tf-03, tf-09)

MAX_CALC_TOKENS = 24
_TOKEN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+(?:'[^\W_]+)?|[^\w\s]", re.UNICODE)


def tokenize(text: str, max_tokens: int = MAX_CALC_TOKENS) -> list[str]:
    """Words and punctuation; each Chinese character is one token. Raises ValueError when empty or too long."""
    tokens = _TOKEN_RE.findall(text or "")
    if not tokens:
        raise ValueError("empty")
    if len(tokens) > max_tokens:
        raise ValueError("too_long")
    return tokens


def token_vector(token: str, d_model: int) -> torch.Tensor:
    """A fixed pseudo-random embedding per token string (same in every session: seeded by a CRC of the text)."""
    gen = generator(zlib.crc32(token.lower().encode("utf-8")))
    return torch.randn(d_model, generator=gen, dtype=torch.float64)


@dataclass(frozen=True)
class CalcConfig(Checked):
    error = TransformerInputError
    d_model: int = 8
    d_k: int = 4
    mode: str = "qkv"  # "qkv": separate W_Q, W_K, W_V · "shared": W_Q = W_K · "v_only": Q = K = V = X
    causal: bool = False
    use_pe: bool = True
    scale: bool = True
    seed: int = 0

    def checks(self):
        yield 1 <= self.d_model <= 64 and 1 <= self.d_k <= 64, "size", "d_model and d_k must be between 1 and 64"
        yield self.mode in ("qkv", "shared", "v_only"), "mode", f"unknown mode {self.mode!r}"


def attention_walkthrough(tokens: list[str], cfg: CalcConfig) -> dict[str, torch.Tensor]:
    """Every intermediate of one self-attention head, float64: X (embedding [+ PE]), Q, K, V, scores QKᵀ,
    scaled scores, weights (softmax, masked if causal) and the output weights·V."""
    cfg.validate()
    gen = generator(cfg.seed)
    n, d = len(tokens), cfg.d_model
    emb = torch.stack([token_vector(tok, d) for tok in tokens])  # (n, d)
    pe = positional_encoding(n, d).double() if cfg.use_pe else torch.zeros(n, d, dtype=torch.float64)
    x = emb + pe
    w_q, w_k, w_v = (torch.randn(d, cfg.d_k, generator=gen, dtype=torch.float64) / math.sqrt(d) for _ in range(3))
    if cfg.mode == "shared":
        w_k = w_q
    if cfg.mode == "v_only":
        q = k = v = x
    else:
        q, k, v = x @ w_q, x @ w_k, x @ w_v  # (n, d_k) each
    scores = q @ k.T  # (n, n)
    scaled = scores / math.sqrt(q.size(-1)) if cfg.scale else scores
    mask = causal_mask(n) if cfg.causal else None
    out, weights = scaled_dot_product_attention(q, k, v, mask, scale=cfg.scale)
    return {
        "emb": emb,
        "pe": pe,
        "x": x,
        "q": q,
        "k": k,
        "v": v,
        "scores": scores,
        "scaled": scaled,
        "weights": weights,
        "out": out,
    }


def encoder_outputs(
    tokens: list[str], order: list[int], *, use_pe: bool, d_model: int = 16, n_heads: int = 2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """One random-init encoder layer on the sentence and on its permutation `order`. Without PE self-attention
    is permutation-equivariant: enc(P X) = P enc(X), so the bag of outputs (and their mean) does not change."""
    torch_gen = generator(seed)
    with seeded(seed):  # the layer's own init, never the global RNG (overwritten just below)
        layer = EncoderLayer(d_model, n_heads, 2 * d_model).double()
    with torch.no_grad():
        for name, p in layer.named_parameters():
            if p.dim() > 1:
                p.copy_(torch.randn(p.shape, generator=torch_gen, dtype=torch.float64) / math.sqrt(p.size(1)))
            elif "norm" not in name:
                p.copy_(torch.randn(p.shape, generator=torch_gen, dtype=torch.float64) * 0.1)
        x = torch.stack([token_vector(tok, d_model) for tok in tokens])  # (n, d)
        xs = x[order]
        if use_pe:
            pe = positional_encoding(len(tokens), d_model).double()
            x, xs = x + pe, xs + pe
        return layer(x[None])[0], layer(xs[None])[0]


def order_check(tokens: list[str], order: list[int], *, use_pe: bool, seed: int = 0) -> dict[str, float]:
    """Cosine of the mean encoder output of the sentence vs its shuffled version (1.0 without PE), and
    max |P·enc(X) − enc(P·X)| (0 without PE: self-attention alone does not see word order)."""
    a, b = encoder_outputs(tokens, order, use_pe=use_pe, seed=seed)
    cos = F.cosine_similarity(a.mean(0), b.mean(0), dim=0)
    return {"cos": float(cos), "max_diff": float((a[order] - b).abs().max())}


def dot_products(d_k: int, *, n_samples: int = 5000, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Samples of q·k and q·k/√d_k for iid N(0, 1) entries (for histograms)."""
    gen = generator(seed)
    dots = (torch.randn(n_samples, d_k, generator=gen) * torch.randn(n_samples, d_k, generator=gen)).sum(-1)
    return dots, dots / math.sqrt(d_k)


def pe_shift_demo(d_model: int, pos: int, offset: int) -> dict[str, torch.Tensor | float]:
    """PE[pos + k] next to R_k · PE[pos] (they coincide: a position shift is a fixed linear map)."""
    pe = positional_encoding(pos + offset + 1, d_model).double()
    rotated = pe_rotation(offset, d_model) @ pe[pos]
    return {"target": pe[pos + offset], "rotated": rotated, "max_err": float((rotated - pe[pos + offset]).abs().max())}


def pe_offset_dots(
    d_model: int, positions: tuple[int, ...] = (0, 10, 50), max_offset: int = 40
) -> dict[int, list[float]]:
    """PE[pos] · PE[pos + k] for k = 0..max_offset−1: the same curve for every pos (depends only on k)."""
    pe = positional_encoding(max(positions) + max_offset, d_model).double()
    return {p: [float(pe[p] @ pe[p + k]) for k in range(max_offset)] for p in positions}
