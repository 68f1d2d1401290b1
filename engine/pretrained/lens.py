"""A language-model lens on SmolLM2-135M (engine.pretrained.smollm.SmolLM): what a GPT-style model does with one text.

- Tokens: the text in four tokenizers (two WordPieces, SmolLM2's byte-level BPE, characters). A byte-level piece
  of Chinese text can hold part of a character (one Chinese character is 3 UTF-8 bytes); `byte_pieces` says which
  bytes of which character each piece holds, instead of the "�" a per-piece decode prints.
- Sampling: temperature, then top-k, then top-p (the order of Hugging Face's warpers), the kept set renormalised;
  a seeded continuation (torch.Generator) decoded with the KV cache, whose size is 2 · layers · kv_heads · head_dim
  · tokens · bytes (keys and values, every layer, every cached token).
- Logit lens (nostalgebraist 2020): the final norm and the unembedding applied to the residual stream after every
  layer; after the last layer it is the model's own output.
- Saliency for the predicted token: gradient × input, and integrated gradients (Sundararajan et al. 2017).

Every text is read as a fresh document: <|endoftext|> (SmolLM2's document boundary in pre-training) goes first. It
is the model's attention sink: saliency keeps it fixed and explains the tokens of the text only. Pure PyTorch: no
streamlit; all randomness through an explicit torch.Generator.
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from dataclasses import dataclass

import torch

from engine.core.errors import InputError

MAX_TOKENS = 64  # text tokens the lens reads (the last ones: the prediction is about what follows the text)
MAX_CHARS = 1000  # characters the tokenizer comparison reads
MAX_NEW = 64  # tokens one continuation may add
DOC = "<|endoftext|>"
LENS_POSITIONS = 12  # positions the logit lens shows (the last ones)
MAX_NODES = 256  # gradients integrated gradients may compute


class LensError(InputError):
    """Input the lens cannot use; `code` is one of "empty", "temperature", "top_k", "top_p", "steps", "seed"."""


# ---------------------------------------------------------------- tokens in four tokenizers
@dataclass(frozen=True)
class Piece:
    """One token: `text` as shown (byte-level parts already spelled out), `token` the tokenizer's own string."""

    text: str
    id: int
    token: str
    data: bytes = b""  # byte-level pieces: the bytes it encodes
    segments: tuple = ()  # byte-level pieces: (char, first byte, last byte, bytes of char) per character it touches

    @property
    def partial(self) -> bool:
        return any(not (first == 1 and last == n) for _, first, last, n in self.segments)

    @property
    def label(self) -> str:
        """How the piece reads on screen: whitespace made visible, parts of characters spelled out."""
        if not self.segments:
            return visible(self.text)
        return "".join(
            visible(ch) if (f == 1 and la == n) else part_label(ch, f, la, n) for ch, f, la, n in self.segments
        )


@functools.lru_cache(maxsize=1)
def byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet, reversed: each of the 256 bytes is written as one printable character
    (printable Latin-1 stays itself, the others move to U+0100 onwards: the space is "Ġ", 0x88 is "Ī")."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), 256))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return {c: b for b, c in chars.items()}


def token_bytes(token: str) -> bytes:
    """The bytes a byte-level token stands for (a special token such as <|endoftext|> is its own UTF-8)."""
    dec = byte_decoder()
    if all(c in dec for c in token):
        return bytes(dec[c] for c in token)
    return token.encode("utf-8")


def utf8_length(lead: int) -> int:
    """Bytes of the character a byte starts: 1-4, or 0 for a continuation byte (10xxxxxx) or an invalid lead."""
    if lead < 0x80:
        return 1
    if 0xC2 <= lead < 0xE0:
        return 2
    if 0xE0 <= lead < 0xF0:
        return 3
    if 0xF0 <= lead < 0xF5:
        return 4
    return 0


def part_label(char: str, first: int, last: int, n: int) -> str:
    """A piece holding bytes first..last (1-based) of an n-byte character: ⟨我 1-2/3⟩."""
    span = f"{first}" if first == last else f"{first}-{last}"
    return f"⟨{char} {span}/{n}⟩"


def visible(text: str) -> str:
    """Whitespace made visible in a token: ␣ space, ↵ new line, ⇥ tab."""
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def byte_pieces(tokenizer, text: str) -> list[Piece]:
    """SmolLM2's byte-level BPE pieces of `text`, each with the characters it encodes. A piece holding only some
    bytes of a character says which: "我" is e6 88 91; a piece with e6 88 reads ⟨我 1-2/3⟩, the next ⟨我 3/3⟩."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    datas = [token_bytes(tok) for tok in tokens]
    # the characters of the whole byte string, with their byte offsets (invalid bytes stand alone as U+FFFD)
    stream = b"".join(datas)
    chars, i = [], 0
    while i < len(stream):
        n = utf8_length(stream[i]) or 1
        chunk = stream[i : i + n]
        chars.append((i, len(chunk), chunk.decode("utf-8", errors="replace")))
        i += len(chunk)
    pieces, start, c = [], 0, 0
    for pid, tok, data in zip(ids, tokens, datas):
        end, segs = start + len(data), []
        while c < len(chars) and chars[c][0] < end:
            at, n, ch = chars[c]
            first, last = max(start, at) - at + 1, min(end, at + n) - at
            segs.append((ch, first, last, n))
            if at + n > end:  # the character goes on in the next piece
                break
            c += 1
        shown = "".join(ch if (f == 1 and la == n) else part_label(ch, f, la, n) for ch, f, la, n in segs)
        pieces.append(Piece(shown, int(pid), tok, data, tuple(segs)))
        start = end
    return pieces


def text_of(pieces: list[Piece]) -> str:
    """The text byte-level pieces encode: each character taken from the piece that holds its last byte."""
    return "".join(ch for p in pieces for ch, _, last, n in p.segments if last == n)


def token_label(tokenizer, token_id: int, show_whitespace: bool = False) -> str:
    """One token out of context: its characters, with bytes that make no whole character in hex: ⟨e6 88…⟩ starts
    a character, ⟨…91⟩ ends one (which character depends on the neighbouring token). `show_whitespace`: the
    characters through `visible`."""
    data = token_bytes(tokenizer.convert_ids_to_tokens(int(token_id)))
    out, i = [], 0
    while i < len(data):
        n = utf8_length(data[i])
        if n and i + n <= len(data) and all(0x80 <= b < 0xC0 for b in data[i + 1 : i + n]):
            ch = data[i : i + n].decode("utf-8", errors="replace")
            out.append(visible(ch) if show_whitespace else ch)
            i += n
            continue
        j = i + 1
        while j < len(data) and 0x80 <= data[j] < 0xC0 and (n or j - i < 3):
            j += 1
        hexes = " ".join(f"{b:02x}" for b in data[i:j])
        out.append(f"⟨{hexes}…⟩" if n else f"⟨…{hexes}⟩")
        i = j
    return "".join(out)


def wordpiece_pieces(tokenizer, text: str) -> list[Piece]:
    """A (fast) WordPiece tokenizer's pieces of `text`, without [CLS] / [SEP]."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return [Piece(tok, int(i), tok) for i, tok in zip(ids, tokenizer.convert_ids_to_tokens(ids))]


def char_pieces(text: str) -> list[Piece]:
    """Characters; the id is the Unicode code point."""
    return [Piece(c, ord(c), c) for c in text]


# ---------------------------------------------------------------- the model's input
def doc_id(lm) -> int:
    return int(lm.tokenizer.convert_tokens_to_ids(DOC))


def encode(lm, text: str) -> torch.Tensor:
    """(1, 1 + T) ids: <|endoftext|>, then the last MAX_TOKENS tokens of the text."""
    ids = lm.tokenizer(text or "", add_special_tokens=False)["input_ids"][-MAX_TOKENS:]
    if not ids:
        raise LensError("empty", "the text has no tokens")
    return torch.tensor([[doc_id(lm), *ids]])


# ---------------------------------------------------------------- sampling
@dataclass(frozen=True)
class Sampling:
    probs: torch.Tensor  # (V,) softmax(logits / T): before filtering
    kept: torch.Tensor  # (V,) bool: the tokens top-k and top-p keep
    final: torch.Tensor  # (V,) the distribution sampled from: probs on the kept set, renormalised, 0 elsewhere


def check_sampling(temperature: float, top_k: int, top_p: float) -> None:
    if not (isinstance(temperature, (int, float)) and math.isfinite(temperature) and temperature > 0):
        raise LensError("temperature", "temperature must be a finite number > 0")
    if not (isinstance(top_k, (int, float)) and math.isfinite(top_k) and top_k >= 1):
        raise LensError("top_k", "top-k must be at least 1")
    if not (isinstance(top_p, (int, float)) and math.isfinite(top_p) and 0 < top_p <= 1):
        raise LensError("top_p", "top-p must be in (0, 1]")


def sampling_distribution(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> Sampling:
    """Temperature, then top-k (the k most likely; k beyond the vocabulary keeps all), then top-p on what top-k
    kept (the smallest set of most likely tokens whose renormalised mass reaches p; the top token always stays),
    then the kept probabilities renormalised. Ties are broken by token id."""
    check_sampling(temperature, top_k, top_p)
    z = logits.detach().double().flatten() / float(temperature)
    probs = torch.softmax(z, dim=-1)
    order = torch.argsort(probs, descending=True, stable=True)
    k = min(int(top_k), probs.numel())
    top = probs[order[:k]]
    top = top / top.sum()
    mass_before = torch.cumsum(top, 0) - top  # renormalised mass of the more likely tokens
    n_keep = max(1, int((mass_before < float(top_p)).sum()))
    kept = torch.zeros_like(probs, dtype=torch.bool)
    kept[order[:n_keep]] = True
    final = torch.where(kept, probs, torch.zeros_like(probs))
    return Sampling(probs, kept, final / final.sum())


def sample(dist: Sampling, generator: torch.Generator) -> int:
    return int(torch.multinomial(dist.final, 1, generator=generator))


@torch.no_grad()
def next_logits(lm, text: str) -> torch.Tensor:
    """(V,) logits of the token after the text."""
    return lm.model(encode(lm, text)).logits[0, -1].float()


# ---------------------------------------------------------------- the KV cache
def kv_cache_bytes(config, tokens: int, bytes_per_value: int = 4, kv_heads: int | None = None) -> int:
    """Closed form: keys and values (2) for every layer, key-value head, head dimension and cached token."""
    heads = kv_heads if kv_heads is not None else getattr(config, "num_key_value_heads", config.num_attention_heads)
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return 2 * config.num_hidden_layers * heads * head_dim * int(tokens) * bytes_per_value


def _cache_tensors(cache) -> list[torch.Tensor]:
    if hasattr(cache, "layers"):  # transformers >= 4.56: DynamicCache.layers[i].keys / .values
        return [t for layer in cache.layers for t in (layer.keys, layer.values) if t is not None]
    if hasattr(cache, "key_cache"):
        return [*cache.key_cache, *cache.value_cache]
    return [t for layer in cache for t in layer]  # the legacy tuple of (keys, values)


def measured_cache_bytes(cache) -> int:
    """The bytes the real past_key_values hold."""
    return sum(t.numel() * t.element_size() for t in _cache_tensors(cache))


@dataclass(frozen=True)
class Continuation:
    ids: list[int]  # the sampled tokens
    probs: list[float]  # the probability each had in the distribution it was drawn from
    cache_tokens: list[int]  # tokens in the KV cache after the prompt and after each new token
    cache_bytes: list[int]  # the real cache's bytes at those moments


def _forward(lm, ids: torch.Tensor, cache=None):
    """(logits of the last position, the KV cache) of one forward pass that extends `cache` (None: a new one);
    transformers 5 calls the cache `cache`, earlier versions `past_key_values`."""
    name = "cache" if "cache" in inspect.signature(lm.model.forward).parameters else "past_key_values"
    out = lm.model(ids, use_cache=True, **({name: cache} if cache is not None else {}))
    return out.logits[0, -1], getattr(out, name)


@torch.no_grad()
def continue_text(lm, text: str, n_new: int, temperature: float, top_k: int, top_p: float, seed: int) -> Continuation:
    """Sample `n_new` tokens after the text from its own generator (same seed, same tokens), one forward pass
    per token thanks to the KV cache; the cache's real size is recorded after every step."""
    check_sampling(temperature, top_k, top_p)
    if not 1 <= int(n_new) <= MAX_NEW:
        raise LensError("steps", f"between 1 and {MAX_NEW} new tokens")
    if not 0 <= int(seed) < 2**63:
        raise LensError("seed", "the seed must be a non-negative integer")
    gen = torch.Generator().manual_seed(int(seed))
    ids = encode(lm, text)
    logits, cache = _forward(lm, ids)
    cache_tokens, cache_bytes, new, probs = [ids.shape[1]], [measured_cache_bytes(cache)], [], []
    for _ in range(int(n_new)):
        dist = sampling_distribution(logits, temperature, top_k, top_p)
        tok = sample(dist, gen)
        new.append(tok)
        probs.append(float(dist.final[tok]))
        logits, cache = _forward(lm, torch.tensor([[tok]]), cache)
        cache_tokens.append(cache_tokens[-1] + 1)
        cache_bytes.append(measured_cache_bytes(cache))
    return Continuation(new, probs, cache_tokens, cache_bytes)


# ---------------------------------------------------------------- logit lens
_recording = threading.local()  # .states: the list this thread's forward pass appends the residual stream to
_install_lock = threading.Lock()


def _record(module, inputs, output) -> None:
    states = getattr(_recording, "states", None)
    if states is not None:  # only the thread that asked records; every other forward pass runs as usual
        states.append((output[0] if isinstance(output, tuple) else output)[0])


def _install_recorders(model) -> None:
    """Forward hooks on the embeddings and on every layer, installed once per model and never removed: the model is
    shared by every session (server threads), and adding or removing hooks while another thread runs it would
    race; the hooks record nothing unless their own thread is recording."""
    if getattr(model, "_lens_recorders", False):
        return
    with _install_lock:
        if getattr(model, "_lens_recorders", False):
            return
        model.model.embed_tokens.register_forward_hook(_record)
        for layer in model.model.layers:
            layer.register_forward_hook(_record)
        model._lens_recorders = True


@torch.no_grad()
def residual_stream(lm, ids: torch.Tensor) -> torch.Tensor:
    """(layers + 1, T, H): the residual stream before the first layer (the embeddings) and after every layer,
    before the final norm (transformers 5's `output_hidden_states` hands back the last one already normed)."""
    _install_recorders(lm.model)
    _recording.states = []
    try:
        lm.model(ids, use_cache=False)
    finally:
        states, _recording.states = _recording.states, None
    return torch.stack(states).float()


def unembed(lm, hidden: torch.Tensor) -> torch.Tensor:
    """Logits from residual-stream vectors: the final norm, then the unembedding (lm_head)."""
    return lm.model.lm_head(lm.model.model.norm(hidden)).float()


@dataclass(frozen=True)
class Lens:
    ids: list[int]  # the input ids shown (the last positions, <|endoftext|> left out)
    top_ids: torch.Tensor  # (layers + 1, P, k) the most likely next tokens after each layer, at each position
    top_probs: torch.Tensor  # (layers + 1, P, k)
    final_rank: torch.Tensor  # (layers + 1, P) the rank (0 = top) of the model's final prediction after each layer
    final_prob: torch.Tensor  # (layers + 1, P) its probability after each layer


@torch.no_grad()
def logit_lens(lm, text: str, k: int = 5, positions: int = LENS_POSITIONS) -> Lens:
    """The logit lens at the last `positions` positions of the text, layer by layer (one (P, V) logits at a time)."""
    ids = encode(lm, text)
    n = min(int(positions), ids.shape[1] - 1)
    stream = residual_stream(lm, ids)[:, -n:]  # (L + 1, P, H)
    final = unembed(lm, stream[-1]).argmax(-1)  # (P,)
    tops, top_p, ranks, fprob = [], [], [], []
    for hidden in stream:
        probs = torch.softmax(unembed(lm, hidden), dim=-1)  # (P, V)
        p, i = probs.topk(min(k, probs.shape[-1]), dim=-1)
        tops.append(i)
        top_p.append(p)
        chosen = probs.gather(1, final[:, None])  # (P, 1)
        ranks.append((probs > chosen).sum(-1))
        fprob.append(chosen[:, 0])
    return Lens(ids[0, -n:].tolist(), torch.stack(tops), torch.stack(top_p), torch.stack(ranks), torch.stack(fprob))


# ---------------------------------------------------------------- saliency
@dataclass(frozen=True)
class Saliency:
    ids: list[int]  # the text's input ids (<|endoftext|> left out)
    target: int  # the predicted token f is about
    f_x: float  # f = log p(target | text)
    f_baseline: float  # f with every text token replaced by the baseline
    grad_input: torch.Tensor  # (T,) ∇f(x) · x per token
    ig: torch.Tensor  # (T,) integrated gradients per token
    nodes: int  # points on the path where the gradient was computed

    @property
    def gap(self) -> float:
        """Completeness: Σ IG − (f(x) − f(baseline)), relative to |f(x) − f(baseline)|."""
        delta = self.f_x - self.f_baseline
        return float(self.ig.sum() - delta) / max(abs(delta), 1e-12)


IG_RULES = ("adaptive", "equal")


def integrated_gradients(
    lm, text: str, target: int | None = None, nodes: int = 64, rule: str = "adaptive", tol: float = 0.005
) -> Saliency:
    """Saliency of f = log p(target | text) (target: the model's top next token) for each token of the text.

    Gradient × input: ∇ₓf · x per token (summed over the embedding dimensions). Integrated gradients: the path
    integral of ∇f along the straight line from a baseline x' to x, times (x − x'), so that the attributions sum
    to f(x) − f(x') (completeness). The baseline puts the mean token embedding at every text position; the
    <|endoftext|> sink stays itself. The integral is a trapezoid rule over at most `nodes` gradients. "equal":
    nodes − 1 equal intervals. "adaptive": nodes / 8 equal intervals, then, a few at a time, the intervals where the
    rule disagrees most with f's own change (f is known at every node) are bisected, until the disagreements add
    up to less than `tol` · |f(x) − f(x')| or the nodes are spent: a real LM's path is smooth in places and rugged
    in others (it runs through inputs no text produces), and equal steps spend most nodes on the smooth parts. Where
    the nodes run out first, `Saliency.gap` says by how much the attributions miss completeness."""
    if rule not in IG_RULES:
        raise LensError("steps", f"rule must be one of {IG_RULES}")
    if not (isinstance(nodes, int) and 3 <= nodes <= MAX_NODES):
        raise LensError("steps", f"between 3 and {MAX_NODES} nodes")
    ids = encode(lm, text)
    table = lm.model.model.embed_tokens.weight.detach().float()
    x = table[ids[0]]  # (T, H)
    base = x.clone()
    base[1:] = table.mean(0)
    if target is None:
        target = int(next_logits(lm, text).argmax())
    fs: dict[float, float] = {}
    cs: dict[float, torch.Tensor] = {}  # per token: ∂f/∂x · (x − x') at a point of the path
    gx: dict[float, torch.Tensor] = {}  # per token: ∂f/∂x · x

    def evaluate(alphas: list[float]) -> None:
        chunk = max(1, 128 // x.shape[0])  # about 128 tokens a pass: ~150 MB for the backward pass
        for s in range(0, len(alphas), chunk):
            part = alphas[s : s + chunk]
            path = (base + torch.tensor(part)[:, None, None] * (x - base)).requires_grad_(True)
            hidden = lm.model.model(inputs_embeds=path, use_cache=False).last_hidden_state[:, -1]
            f = torch.log_softmax(lm.model.lm_head(hidden).float(), dim=-1)[:, target]
            (grad,) = torch.autograd.grad(f.sum(), path)
            for j, alpha in enumerate(part):
                fs[alpha], cs[alpha], gx[alpha] = (
                    float(f[j].detach()),
                    (grad[j] * (x - base)).sum(-1),
                    (grad[j] * x).sum(-1),
                )

    steps = nodes - 1 if rule == "equal" else max(2, nodes // 8)
    evaluate([i / steps for i in range(steps + 1)])
    delta = fs[1.0] - fs[0.0]
    while True:
        grid = sorted(fs)
        est = [(b - a) / 2 * (cs[a] + cs[b]) for a, b in zip(grid, grid[1:])]  # per interval, per token
        err = [abs(float(e.sum()) - (fs[b] - fs[a])) for e, a, b in zip(est, grid, grid[1:])]
        room = nodes - len(grid)
        if rule == "equal" or room <= 0 or sum(err) <= tol * max(abs(delta), 1e-6):
            break
        worst = sorted(range(len(err)), key=lambda j: -err[j])[: min(room, max(2, nodes // 32))]
        evaluate([(grid[j] + grid[j + 1]) / 2 for j in worst])
    ig = torch.stack(est).sum(0)
    return Saliency(ids[0, 1:].tolist(), target, fs[1.0], fs[0.0], gx[1.0][1:], ig[1:], len(fs))
