"""Model compression measured on a tiny masked LM trained here (ptm-05, misc-14).

    teacher  = TinyMLM(2 layers)                  trained with train_mlm(...)
    int8     = quantize_int8(teacher)             dynamic int8 for every nn.Linear (weights int8, activations on the fly)
    pruned   = prune_magnitude(teacher, 0.5)      global L1 magnitude pruning of Linear weights
    bf16     = to_half(teacher)                   16-bit weights
    students = distil(...)                        a 1-layer student (KD) and an ALBERT-style shared-layer student

`measure(model, eval_batches)` gives what the lab reports: bytes of the saved state_dict (a real torch.save),
non-zero parameters, median latency of one batch, and masked-token accuracy on held-out batches.
"""

from __future__ import annotations

import copy
import io
import math
import time
from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress

PAD, MASK_ID = 0, 1  # ids 0 and 1 are reserved; words start at 2


class CompressionInputError(InputError):
    """Settings the compression lab cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class MLMConfig(Checked):
    error = CompressionInputError
    vocab_size: int = 100
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 2
    d_ff: int = 128
    max_len: int = 12
    share_layers: bool = False  # ALBERT: one set of layer weights applied n_layers times
    mask_prob: float = 0.15
    batch_size: int = 32
    steps: int = 300
    lr: float = 3e-3
    seed: int = 0

    def checks(self):
        yield self.vocab_size >= 3, "vocab", "the vocabulary is too small"
        yield (
            self.d_model >= 2 and self.n_heads >= 1 and self.d_model % max(self.n_heads, 1) == 0,
            "shape",
            "d_model must be a positive multiple of the number of heads",
        )
        yield (
            1 <= self.n_layers <= 12 and self.d_ff >= 1 and self.max_len >= 2 and self.steps >= 1,
            "size",
            "layers must be 1-12 and sizes positive",
        )
        yield finite(self.lr) and 0 < self.lr <= 1, "lr", f"learning rate must be in (0, 1], not {self.lr}"
        yield finite(self.mask_prob) and 0 < self.mask_prob < 1, "mask_prob", "the mask probability must be in (0, 1)"
        yield self.batch_size >= 1, "batch", "the batch must hold at least one sentence"


@dataclass(frozen=True)
class DistilConfig(Checked):
    """Knowledge distillation (Hinton et al. 2015): loss = alpha * KD(teacher, T) + (1 - alpha) * CE."""

    error = CompressionInputError
    temperature: float = 2.0
    alpha: float = 0.5

    def checks(self):
        yield finite(self.temperature) and self.temperature > 0, "temperature", "temperature must be > 0"
        yield finite(self.alpha) and 0 <= self.alpha <= 1, "alpha", "alpha must be in [0, 1]"


class EncoderLayer(nn.Module):
    """Post-LN Transformer encoder layer built from plain nn.Linear, so int8 and pruning reach every matrix."""

    def __init__(self, d: int, heads: int, d_ff: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ff1, self.ff2 = nn.Linear(d, d_ff), nn.Linear(d_ff, d)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)  # (B, h, T, dh)
        keep = ~pad[:, None, None, :]  # (B, 1, 1, T): nobody attends to padding
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)  # (B, h, T, dh)
        x = self.ln1(x + self.out(a.transpose(1, 2).reshape(b, t, d)))
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


class TinyMLM(nn.Module):
    """Token + position embeddings -> n post-LN Transformer encoder layers -> a vocabulary head."""

    def __init__(self, cfg: MLMConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        with seeded(cfg.seed):  # the layers' own init, never the global RNG (overwritten just below)
            self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
            self.pos = nn.Embedding(cfg.max_len, cfg.d_model)
            n_distinct = 1 if cfg.share_layers else cfg.n_layers
            self.layers = nn.ModuleList([EncoderLayer(cfg.d_model, cfg.n_heads, cfg.d_ff) for _ in range(n_distinct)])
            self.head = nn.Linear(cfg.d_model, cfg.vocab_size)
        g = generator(cfg.seed)
        with torch.no_grad():  # seeded init: N(0, 1/fan_in) matrices, zero vectors, LayerNorm γ = 1
            for p in self.parameters():
                if p.dim() > 1:
                    p.copy_(torch.randn(p.shape, generator=g) * (1.0 / math.sqrt(p.shape[-1])))
                else:
                    p.zero_()
            for m in self.modules():
                if isinstance(m, nn.LayerNorm):
                    m.weight.fill_(1.0)

    def forward(self, ids: torch.Tensor, targets: torch.Tensor | None = None):
        b, t = ids.shape  # (B, T)
        h = self.tok(ids) + self.pos(torch.arange(t))  # (B, T, d)
        pad = ids == PAD
        for i in range(self.cfg.n_layers):
            h = self.layers[0 if self.cfg.share_layers else i](h, pad)
        logits = self.head(h)  # (B, T, V)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100)
        return logits, loss


# ---------------------------------------------------------------- data
def pack_sentences(encoded: list[np.ndarray], max_len: int) -> torch.Tensor:
    """Word-id sentences (ids >= 2) -> a (N, max_len) tensor, cut or padded with PAD."""
    rows = [s[:max_len] for s in encoded if len(s) >= 2]
    if not rows:
        raise ValueError("no sentence with at least two known words")
    out = torch.full((len(rows), max_len), PAD, dtype=torch.long)
    for i, s in enumerate(rows):
        out[i, : len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out


def mask_batch(ids: torch.Tensor, mask_prob: float, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Replace mask_prob of the real tokens by [MASK]; targets = the original id there, -100 elsewhere.

    At least one token per row is masked so every row has something to predict.
    """
    real = ids != PAD
    pick = (torch.rand(ids.shape, generator=g) < mask_prob) & real
    first = torch.argmax(real.int(), dim=1)  # guarantee one target per row
    none = ~pick.any(dim=1)
    pick[none, first[none]] = True
    inp = ids.masked_fill(pick, MASK_ID)
    targets = ids.masked_fill(~pick, -100)
    return inp, targets


def eval_batches(
    data: torch.Tensor, mask_prob: float, seed: int, n_batches: int = 4, batch_size: int = 64
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Fixed held-out batches (same masks for every model, so accuracies compare)."""
    g = generator(seed + 10_000)
    out = []
    for _ in range(n_batches):
        idx = torch.randint(len(data), (batch_size,), generator=g)
        out.append(mask_batch(data[idx], mask_prob, g))
    return out


# ---------------------------------------------------------------- training
def train_mlm(model: TinyMLM, data: torch.Tensor, cfg: MLMConfig) -> Iterator[Progress]:
    """Adam on the masked-token cross-entropy; one Progress per step."""
    cfg.validate()
    g = generator(cfg.seed + 1)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model.train()
    for step in range(cfg.steps):
        idx = torch.randint(len(data), (cfg.batch_size,), generator=g)
        inp, tgt = mask_batch(data[idx], cfg.mask_prob, g)
        _, loss = model(inp, tgt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        yield Progress(step + 1, cfg.steps, float(loss.detach()))
    model.eval()


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Hinton's soft-label loss: KL(teacher_T || student_T) * T^2 (the T^2 keeps gradients comparable)."""
    t = temperature
    return (
        F.kl_div(
            F.log_softmax(student_logits / t, dim=-1), F.softmax(teacher_logits / t, dim=-1), reduction="batchmean"
        )
        * t
        * t
    )


def distil(
    teacher: TinyMLM,
    students: dict[str, TinyMLM],
    data: torch.Tensor,
    cfg: MLMConfig,
    kd: DistilConfig = DistilConfig(),
) -> Iterator[Progress]:
    """Train every student side by side (engine.core.side_by_side) on alpha * KD(teacher) + (1 - alpha) * CE, on
    the masked positions only. Progress.loss = the students' mean loss; metrics: each student's loss by name."""
    cfg.validate()
    kd.validate()
    g = generator(cfg.seed + 2)
    opts = {k: torch.optim.Adam(s.parameters(), lr=cfg.lr) for k, s in students.items()}
    teacher.eval()

    def batch(step: int):
        idx = torch.randint(len(data), (cfg.batch_size,), generator=g)
        inp, tgt = mask_batch(data[idx], cfg.mask_prob, g)
        sel = tgt != -100
        with torch.no_grad():
            t_logits = teacher(inp)[0][sel]  # (M, V)
        return inp, tgt, sel, t_logits

    def loss(name: str, student: TinyMLM, b) -> torch.Tensor:
        inp, tgt, sel, t_logits = b
        s_logits, ce = student(inp, tgt)
        return kd.alpha * kd_loss(s_logits[sel], t_logits, kd.temperature) + (1 - kd.alpha) * ce

    yield from train_side_by_side(
        students,
        opts,
        batch=batch,
        loss=loss,
        steps=cfg.steps,
        seed=cfg.seed + 3,
        loss_key="{}",
        headline=lambda losses, metrics: float(np.mean(list(losses.values()))),
    )


# ---------------------------------------------------------------- compression
def quantize_int8(model: nn.Module) -> nn.Module:
    """Dynamic int8 quantisation of every nn.Linear (torch.ao.quantization.quantize_dynamic)."""
    import warnings

    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(copy.deepcopy(model).eval(), {nn.Linear}, dtype=torch.qint8)


def prunable(model: nn.Module) -> list[tuple[nn.Module, str]]:
    """Weight matrices that magnitude pruning touches: every Linear (embeddings stay dense)."""
    return [(m, "weight") for m in model.modules() if isinstance(m, nn.Linear)]


def prune_magnitude(model: nn.Module, sparsity: float) -> nn.Module:
    """Global L1 (magnitude) pruning: the smallest `sparsity` share of all prunable weights becomes 0."""
    from torch.nn.utils import prune

    if not (finite(sparsity) and 0 <= sparsity < 1):
        raise CompressionInputError("sparsity", "sparsity must be in [0, 1)")
    pruned = copy.deepcopy(model).eval()
    params = prunable(pruned)
    if sparsity > 0:
        prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=float(sparsity))
        for m, name in params:
            prune.remove(m, name)  # bake the zeros into the weight
    return pruned


def to_half(model: nn.Module, dtype: torch.dtype = torch.bfloat16) -> nn.Module:
    return copy.deepcopy(model).to(dtype).eval()


@torch.no_grad()
def half_precision_gap(
    model: nn.Module, batch: torch.Tensor, dtype: torch.dtype = torch.float16
) -> tuple[float, float]:
    """(max |logit_half − logit_fp32|, share of positions whose top word is unchanged) on one batch: the check that
    16-bit inference keeps the model's outputs (fp16 has a 10-bit mantissa, bf16 only 7, hence bf16's larger gap)."""
    ref = copy.deepcopy(model).eval()(batch)[0]  # a copy: the caller's model keeps its train/eval mode
    half = to_half(model, dtype)(batch)[0].float()
    return float((half - ref).abs().max()), float((half.argmax(-1) == ref.argmax(-1)).float().mean())


def student_config(cfg: MLMConfig, kind: str) -> MLMConfig:
    """'small': 1 layer, half the FFN (DistilBERT-like, but smaller); 'shared': ALBERT cross-layer sharing."""
    if kind == "small":
        return replace(cfg, n_layers=1, d_ff=max(cfg.d_ff // 2, 1), share_layers=False, seed=cfg.seed + 7)
    if kind == "shared":
        return replace(cfg, share_layers=True, seed=cfg.seed + 8)
    raise ValueError(kind)


# ---------------------------------------------------------------- measuring
def state_bytes(model: nn.Module) -> int:
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


def count_params(model: nn.Module) -> tuple[int, int]:
    """(stored parameters, non-zero parameters) over float tensors; shared tensors counted once."""
    total = nonzero = 0
    seen: set[int] = set()
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        nonzero += int((p != 0).sum())
    for m in model.modules():  # quantized Linear keeps its weight outside .parameters()
        if type(m).__name__ == "Linear" and hasattr(m, "_packed_params"):
            w, b = m._packed_params._weight_bias()
            total += w.numel() + (b.numel() if b is not None else 0)
            nonzero += int((w.dequantize() != 0).sum()) + (int((b != 0).sum()) if b is not None else 0)
    return total, nonzero


@torch.no_grad()
def masked_accuracy(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    right = total = 0
    for inp, tgt in batches:
        logits = model(inp)[0]
        sel = tgt != -100
        right += int((logits[sel].argmax(-1) == tgt[sel]).sum())
        total += int(sel.sum())
    return right / max(total, 1)


@torch.no_grad()
def latency_ms(model: nn.Module, batch: torch.Tensor, repeats: int = 20) -> float:
    """Median wall time of one forward pass (ms), after one warm-up call."""
    model(batch)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model(batch)
        times.append(time.perf_counter() - t0)
    return 1000.0 * float(np.median(times))


@dataclass(frozen=True)
class Measurement:
    name: str
    bytes: int
    params: int
    nonzero: int
    latency_ms: float
    accuracy: float


def measure(
    name: str, model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]], repeats: int = 20
) -> Measurement:
    total, nz = count_params(model)
    return Measurement(
        name, state_bytes(model), total, nz, latency_ms(model, batches[0][0], repeats), masked_accuracy(model, batches)
    )
