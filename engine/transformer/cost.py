"""What self-attention costs compared with an LSTM: closed-form FLOPs, measured time and activation memory,
parameter counts, and which module a Transformer uses most.

FLOPs count a multiply-add as 2 (the convention of torch.utils.flop_counter):
  self-attention core  QKᵀ and AV           2·n·n·d + 2·n·n·d = 4·n²·d
  Q, K, V, O projections                    4 · 2·n·d·d       = 8·n·d²
  LSTM (4 gates, W·x and U·h, each d×d)     n · 4 · 2 · 2·d·d = 16·n·d²
  FFN (d → d_ff → d)                        2 · 2·n·d·d_ff    = 4·n·d·d_ff
"""

from __future__ import annotations

import time
from collections import Counter

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from engine.core.seeding import generator, seeded
from engine.transformer.model import MultiHeadAttention


def attention_flops(n: int, d: int) -> int:
    return 4 * n * n * d


def projection_flops(n: int, d: int) -> int:
    return 8 * n * d * d


def lstm_flops(n: int, d: int) -> int:
    return 16 * n * d * d


def ffn_flops(n: int, d: int, d_ff: int | None = None) -> int:
    return 4 * n * d * (d_ff if d_ff is not None else 4 * d)


def layer_table(n: int, d: int) -> list[dict]:
    """Vaswani et al. Table 1 for self-attention vs a recurrent layer, evaluated at (n, d).
    'faster' marks the cheaper layer per the O(·) term: self-attention iff n < d."""
    return [
        {
            "row": "complexity",
            "self_attention": n * n * d,
            "recurrent": n * d * d,
            "faster": "self_attention" if n < d else ("recurrent" if n > d else "tie"),
        },
        {"row": "sequential", "self_attention": 1, "recurrent": n, "faster": "self_attention" if n > 1 else "tie"},
        {"row": "path", "self_attention": 1, "recurrent": n, "faster": "self_attention" if n > 1 else "tie"},
    ]


def scores_double_loop(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """S[i, j] = q_i · k_j one pair at a time: what an n² sequential sweep would do (for timing and checks)."""
    n, m = q.size(0), k.size(0)
    s = torch.empty(n, m, dtype=q.dtype)
    for i in range(n):
        for j in range(m):
            s[i, j] = torch.dot(q[i], k[j])
    return s


def _saved_bytes(fn) -> int:
    """Bytes of the tensors autograd keeps for backward while running fn(): the activation memory of training."""
    total = 0

    def pack(t: torch.Tensor):
        nonlocal total
        total += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return total


def _best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure_layers(
    n: int, d: int, *, n_heads: int = 4, batch: int = 1, repeats: int = 3, seed: int = 0
) -> dict[str, float]:
    """Forward time (s, best of `repeats`) and activation memory kept for backward (bytes) of one
    multi-head self-attention layer vs one LSTM layer on a (batch, n, d) input."""
    if not 1 <= n <= 4096 or not 1 <= d <= 2048 or n * n * batch > 2**24:
        raise ValueError("n and d too large for a live measurement")
    gen = generator(seed)
    x = torch.randn(batch, n, d, generator=gen)
    heads = n_heads if d % n_heads == 0 else 1
    with seeded(seed):  # random weights (only the time and memory matter), never from the global RNG
        attn, lstm = MultiHeadAttention(d, heads), nn.LSTM(d, d, batch_first=True)
    with torch.no_grad():
        t_attn = _best_time(lambda: attn(x, x, x), repeats)
        t_lstm = _best_time(lambda: lstm(x), repeats)
    return {
        "attn_s": t_attn,
        "lstm_s": t_lstm,
        "attn_bytes": _saved_bytes(lambda: attn(x, x, x)),
        "lstm_bytes": _saved_bytes(lambda: lstm(x)),
    }


def measure_parallel(n: int, d: int, *, repeats: int = 3, seed: int = 0) -> dict[str, float]:
    """All n² scores: a Python double loop vs one matrix product QKᵀ vs an RNN-style sequential sweep
    (n dependent steps h_t = tanh(W h_{t-1} + x_t)). Seconds, best of `repeats`."""
    if not 1 <= n <= 256 or not 1 <= d <= 1024:
        raise ValueError("n must be in 1..256 and d in 1..1024 for a live measurement")
    gen = generator(seed)
    q, k = torch.randn(n, d, generator=gen), torch.randn(n, d, generator=gen)
    w = torch.randn(d, d, generator=gen) / d**0.5

    def sweep() -> torch.Tensor:
        h = torch.zeros(d)
        for t in range(n):
            h = torch.tanh(w @ h + q[t])
        return h

    return {
        "loop_s": _best_time(lambda: scores_double_loop(q, k), 1),
        "matmul_s": _best_time(lambda: q @ k.T, repeats),
        "rnn_s": _best_time(sweep, repeats),
    }


# ------------------------------------------------------------------------------- parameters and modules


def transformer_params(d: int, h: int, n_enc: int, n_dec: int, d_ff: int, *, final_norms: bool = True) -> int:
    """Closed-form parameter count of nn.Transformer (no embeddings): does not depend on h."""
    del h  # the heads split d_model; they add no parameters
    mha = 4 * d * d + 4 * d
    ffn = 2 * d * d_ff + d_ff + d
    ln = 2 * d
    enc = mha + ffn + 2 * ln
    dec = 2 * mha + ffn + 3 * ln
    return n_enc * enc + n_dec * dec + (2 * ln if final_norms else 0)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def module_counts(
    model: nn.Module,
    kinds: tuple[str, ...] = ("Linear", "NonDynamicallyQuantizableLinear", "Dropout", "LayerNorm", "Embedding"),
) -> dict:
    """How many modules of each kind the model holds (isinstance-style, subclasses of Linear count as Linear)."""
    counts: Counter = Counter()
    for m in model.modules():
        if isinstance(m, nn.Linear):
            counts["Linear"] += 1
        elif isinstance(m, nn.Dropout):
            counts["Dropout"] += 1
        elif isinstance(m, nn.LayerNorm):
            counts["LayerNorm"] += 1
        elif isinstance(m, nn.Embedding):
            counts["Embedding"] += 1
    return {k: counts.get(k, 0) for k in ("Linear", "Dropout", "LayerNorm", "Embedding")}


def reference_models(bert: bool = True) -> dict[str, nn.Module]:
    """nn.Transformer() with the paper's sizes and (optionally: importing transformers takes seconds) a BERT-base
    skeleton, both built on the meta device (shapes only, no memory, nothing downloaded)."""
    with torch.device("meta"), seeded(0):  # meta tensors hold no numbers; nothing may touch the global RNG
        models: dict[str, nn.Module] = {"nn.Transformer": nn.Transformer()}
        if bert:
            from transformers import BertConfig, BertModel

            models["BertModel-base"] = BertModel(BertConfig())
    return models


def block_params(d: int, h: int, d_ff: int) -> dict[str, int]:
    """Parameters per building block (closed forms); d_k = d / h does not change any of them."""
    if d < 1 or h < 1 or d_ff < 1 or d % h:
        raise ValueError("d_model must be a positive multiple of the number of heads")
    mha, ffn, ln = 4 * d * d + 4 * d, 2 * d * d_ff + d_ff + d, 2 * d
    return {
        "mha": mha,
        "ffn": ffn,
        "layernorm": ln,
        "encoder_layer": mha + ffn + 2 * ln,
        "decoder_layer": 2 * mha + ffn + 3 * ln,
    }


def flop_curves(d: int, ns: list[int]) -> dict[str, list[int]]:
    """FLOPs per layer for each sequence length n at width d (for the log-log chart)."""
    return {
        "attention": [attention_flops(n, d) for n in ns],
        "projections": [projection_flops(n, d) for n in ns],
        "lstm": [lstm_flops(n, d) for n in ns],
        "ffn": [ffn_flops(n, d) for n in ns],
    }


def gradient_reach(ns: list[int], d: int = 32, seed: int = 0) -> dict[str, list[float]]:
    """‖∂(r·out_n)/∂x_1‖: how strongly the last output still depends on the first input, for one randomly
    initialised LSTM layer (the signal must pass n − 1 recurrent steps) and one self-attention layer (one step,
    whatever n). r is a fixed random probe vector."""
    if not ns or min(ns) < 1 or max(ns) > 2048 or not 1 <= d <= 512:
        raise ValueError("n must be in 1..2048 and d in 1..512")
    gen = generator(seed)
    with seeded(seed):  # the layers' own init, never the global RNG (overwritten just below)
        lstm, attn = nn.LSTM(d, d, batch_first=True), MultiHeadAttention(d, 4 if d % 4 == 0 else 1)
    bound = 1.0 / d**0.5
    with torch.no_grad():  # PyTorch's default init ranges, drawn from our generator
        for p in list(lstm.parameters()) + list(attn.parameters()):
            p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * bound)
    probe = torch.randn(d, generator=gen)
    out: dict[str, list[float]] = {"lstm": [], "attention": []}
    for n in ns:
        x = torch.randn(1, n, d, generator=gen)
        for name in ("lstm", "attention"):
            xi = x.clone().requires_grad_()
            y = lstm(xi)[0] if name == "lstm" else attn(xi, xi, xi)[0]  # (1, n, d)
            (y[0, -1] @ probe).backward()
            out[name].append(float(xi.grad[0, 0].norm()))
    return out


# ------------------------------------------------------------------ application sites (misc-12, second count)

SITE_KINDS = ("Linear", "Dropout", "LayerNorm", "Embedding")


class _SiteCounter(TorchFunctionMode):
    """Counts what one forward pass actually applies, at the level of torch.nn.functional: every module call lands
    here (nn.Linear → F.linear, nn.Dropout → F.dropout, …) and so do functional uses no module hook can see:
    nn.MultiheadAttention runs its Q, K, V and output projections and its attention-probability dropout inside
    F.multi_head_attention_forward, and Hugging Face attention passes dropout_p to scaled_dot_product_attention.
    Calls made inside a counted function are not seen again (the mode is off while the function runs)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        name = getattr(func, "__name__", "")
        if name == "linear":
            self.counts["Linear"] += 1
        elif name == "layer_norm":
            self.counts["LayerNorm"] += 1
        elif name == "embedding":
            self.counts["Embedding"] += 1
        elif name == "dropout":  # F.dropout(input, p, training, inplace): applied only in training mode
            if args[2] if len(args) > 2 else kwargs.get("training", True):
                self.counts["Dropout"] += 1
            return args[0] if args else kwargs["input"]  # counted, not applied: no mask is drawn
        elif name == "multi_head_attention_forward":
            self.counts["Linear"] += 4  # Q, K, V (one packed matmul or three) and the output projection
            dropout_p = args[10] if len(args) > 10 else kwargs.get("dropout_p", 0.0)
            if dropout_p > 0 and kwargs.get("training", args[13] if len(args) > 13 else True):
                self.counts["Dropout"] += 1
            args, kwargs = _no_dropout(args, kwargs, 10)
        elif name == "scaled_dot_product_attention":
            if (args[4] if len(args) > 4 else kwargs.get("dropout_p", 0.0)) > 0:
                self.counts["Dropout"] += 1
            args, kwargs = _no_dropout(args, kwargs, 4)
        return func(*args, **kwargs)


def _no_dropout(args: tuple, kwargs: dict, index: int) -> tuple[tuple, dict]:
    """The same call with dropout_p (positional `index` or keyword) set to 0: counted, nothing drawn."""
    if len(args) > index:
        return args[:index] + (0.0,) + args[index + 1 :], kwargs
    return args, {**kwargs, "dropout_p": 0.0}


def application_counts(model: nn.Module, *inputs, **kw_inputs) -> dict[str, int]:
    """How many times each kind of layer is applied in one training-mode forward pass of `model(*inputs)`: a module
    used twice counts twice, functional projections and attention dropout count too. Works on the meta device.
    Dropout is counted but not applied, so the pass draws nothing from any random generator."""
    was = model.training
    model.train()
    try:
        with _SiteCounter() as counter, torch.no_grad():
            model(*inputs, **kw_inputs)
    finally:
        model.train(was)
    return {k: counter.counts.get(k, 0) for k in SITE_KINDS}


def reference_sites(bert: bool = True) -> dict[str, dict[str, int]]:
    """application_counts of the reference_models on a 4-token input (the counts do not depend on its length),
    run on the meta device."""
    out = {}
    for name, model in reference_models(bert).items():
        with torch.device("meta"):
            if name == "nn.Transformer":  # (S, N, E) without batch_first
                out[name] = application_counts(model, torch.zeros(4, 1, 512), torch.zeros(3, 1, 512))
            else:
                out[name] = application_counts(model, input_ids=torch.zeros(1, 4, dtype=torch.long))
    return out


def seq2seq_sites(model: nn.Module) -> dict[str, int]:
    """application_counts of an engine.transformer.model.Seq2SeqTransformer on a 4-token source and a 3-token target."""
    return application_counts(model, torch.tensor([[3, 4, 5, 6]]), torch.tensor([[1, 3, 4]]))
