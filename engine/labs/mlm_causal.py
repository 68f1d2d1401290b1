"""What the masked LM and the causal LM see at position i, and how each reacts to an edit of the right context.

The MLM (engine.bert.model.TinyBert) reads `[CLS] x_<i [MASK] x_>i [SEP]` and predicts the hidden piece from both
sides. The causal LM (engine.bert.causal_lm) reads the very same ids, but its prediction for position i is the
logits at i - 1, computed under a lower-triangular mask: only `[CLS] x_<i` can reach it. Editing x_>i must
therefore move the MLM's distribution and leave the causal one bit-identical (same input shape: both versions
are padded to one length, so even the floating-point summation order is the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.bert.causal_lm import CausalInputError
from engine.core.seeding import generator

MAX_CHARS = 600


@dataclass(frozen=True)
class Variants:
    pieces: list[str]  # the sentence's word pieces (no [CLS]/[SEP])
    position: int  # index into pieces of the hidden piece
    target: str  # the piece that was hidden
    original: torch.Tensor  # (1, T) ids with [MASK] at position + 1
    edited: torch.Tensor  # (1, T) same left part, [MASK], then the new right context
    attention_mask: torch.Tensor  # (2, T) 1 for real tokens of original / edited
    edited_pieces: list[str]


def variants(tokenizer, text: str, position: int, right: str, max_len: int) -> Variants:
    """Encode the sentence with piece `position` hidden, and the same with everything after it replaced by
    `right`. Raises CausalInputError(code) for empty, too long, all-unknown input or a position outside."""
    text, right = (text or "").strip(), (right or "").strip()
    if not text:
        raise CausalInputError("empty", "the sentence is empty")
    if len(text) > MAX_CHARS or len(right) > MAX_CHARS:
        raise CausalInputError("too_long", f"more than {MAX_CHARS} characters")
    pieces = tokenizer.tokenize(text)
    new_right = tokenizer.tokenize(right)
    if not pieces:
        raise CausalInputError("empty", "no word pieces")
    if all(p == tokenizer.unk_token for p in pieces):
        raise CausalInputError("all_unknown", "every piece is unknown to the vocabulary")
    if not 0 <= position < len(pieces):
        raise CausalInputError("position", "the position is outside the sentence")
    if max(len(pieces), position + 1 + len(new_right)) + 2 > max_len:
        raise CausalInputError("too_long", f"more than {max_len - 2} pieces")
    ids = tokenizer.convert_tokens_to_ids
    a = (
        [tokenizer.cls_token_id]
        + ids(pieces[:position])
        + [tokenizer.mask_token_id]
        + ids(pieces[position + 1 :])
        + [tokenizer.sep_token_id]
    )
    b = a[: position + 2] + ids(new_right) + [tokenizer.sep_token_id]
    width = max(len(a), len(b))
    pad = tokenizer.pad_token_id
    rows = [r + [pad] * (width - len(r)) for r in (a, b)]
    att = torch.tensor([[1] * len(a) + [0] * (width - len(a)), [1] * len(b) + [0] * (width - len(b))])
    return Variants(
        pieces,
        position,
        pieces[position],
        torch.tensor(rows[:1]),
        torch.tensor(rows[1:]),
        att,
        pieces[:position] + [tokenizer.mask_token] + new_right,
    )


def mlm_logits(
    bert, ids: torch.Tensor, attention_mask: torch.Tensor, position: int, tok_embeds: torch.Tensor | None = None
) -> torch.Tensor:
    """(V,) the TinyBert's logits for the [MASK] at piece `position` (token index position + 1)."""
    out = bert.net.bert(
        input_ids=None if tok_embeds is not None else ids,
        inputs_embeds=tok_embeds,
        token_type_ids=torch.zeros_like(ids),
        attention_mask=attention_mask,
    )
    return bert.net.cls.predictions(out.last_hidden_state[0, position + 1])


def causal_logits(lm, ids: torch.Tensor, position: int, tok_embeds: torch.Tensor | None = None) -> torch.Tensor:
    """(V,) the causal LM's logits for the piece at `position`: its output at token index `position` (the slot
    before it, since [CLS] sits at index 0)."""
    logits, _ = lm(ids, tok_embeds=tok_embeds)
    return logits[0, position]


@torch.no_grad()
def distributions(bert, lm, v: Variants) -> dict[str, np.ndarray]:
    """Softmax over the vocabulary at the hidden position: mlm / causal x original / edited."""
    bert.eval()
    lm.eval()
    out = {}
    for name, ids, am in (("original", v.original, v.attention_mask[:1]), ("edited", v.edited, v.attention_mask[1:])):
        out[f"mlm_{name}"] = mlm_logits(bert, ids, am, v.position).softmax(-1).numpy()
        out[f"causal_{name}"] = causal_logits(lm, ids, v.position).softmax(-1).numpy()
    return out


def top_k(probs: np.ndarray, tokenizer, k: int = 5) -> list[tuple[str, float]]:
    """The k most likely pieces, never a special token ([CLS], [PAD], ...)."""
    p = probs.copy()
    p[tokenizer.all_special_ids] = 0.0
    idx = np.argsort(-p)[:k]
    return [(tokenizer.convert_ids_to_tokens(int(i)), float(p[i])) for i in idx]


def influence(bert, lm, v: Variants, seed: int = 0) -> dict[str, np.ndarray]:
    """Per input token j: ||d (r . logits_i) / d x_j|| for a fixed random r, i.e. a random projection of the
    Jacobian of the prediction at the hidden position w.r.t. the input token embeddings (zero iff, almost
    surely, the prediction cannot depend on token j)."""
    g = generator(seed)
    out = {}
    for name, model, fn in (
        ("mlm", bert, lambda e: mlm_logits(bert, v.original, v.attention_mask[:1], v.position, e)),
        ("causal", lm, lambda e: causal_logits(lm, v.original, v.position, e)),
    ):
        model.eval()
        table = bert.net.bert.embeddings.word_embeddings if name == "mlm" else lm.tok
        emb = table(v.original).detach().requires_grad_(True)  # (1, T, d)
        logits = fn(emb)
        r = torch.randn(logits.shape, generator=g)
        (grad,) = torch.autograd.grad((logits * r).sum(), emb)
        out[name] = grad[0].norm(dim=-1).numpy()
    return out


def compare(bert, lm, v: Variants) -> dict:
    """Everything the lab shows for one sentence: the four distributions (`dist`), max |delta p| per model when the
    right context is edited (`delta`), the per-token gradient sizes over the real tokens with the hidden slot's own
    input left out (`influence`), the largest gradient from a token right of the hidden piece (`right_max`), and
    the number of real tokens (`n`)."""
    d = distributions(bert, lm, v)
    g = influence(bert, lm, v)
    n, i = int(v.attention_mask[0].sum()), v.position + 1
    context = {k: g[k][:n].copy() for k in g}
    for a in context.values():  # the hidden slot's own input is not context
        a[i] = 0.0
    return {
        "dist": d,
        "n": n,
        "influence": context,
        "delta": {m: float(np.abs(d[f"{m}_original"] - d[f"{m}_edited"]).max()) for m in ("mlm", "causal")},
        "right_max": {k: float(g[k][i + 1 : n].max(initial=0.0)) for k in g},
    }
