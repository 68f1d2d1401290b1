"""BERT's masking recipe for the masked-language-model task, plus whole-word masking.

Devlin et al. (2019) §3.1: choose 15% of the (non-special) tokens as prediction targets; of the chosen ones
replace 80% by [MASK], 10% by a random token and leave 10% unchanged, so the encoder can never tell which visible
token it will be asked about. Labels are the original ids at chosen positions and -100 elsewhere (the
`ignore_index` of cross-entropy). This mirrors `transformers.DataCollatorForLanguageModeling` (Bernoulli per
token); `exact=True` instead picks round(15% x n) positions per sequence, as Google's original
`create_pretraining_data.py` did.

Whole-word masking (BERT-wwm, Cui et al. 2019): the 15% draw is made per *word* and every piece of a chosen word
is a target: `pro ##ba ##bility` all together, and for Chinese all characters of a jieba word together.
"""

from __future__ import annotations

import numpy as np
import torch

from engine.core.seeding import generator

IGNORE = -100
# fates of a token after masking (for colouring and counting)
KEPT_CONTEXT, MASKED, RANDOM, UNCHANGED = 0, 1, 2, 3


def mask_tokens(
    input_ids: torch.Tensor,
    special_tokens_mask: torch.Tensor,
    vocab_size: int,
    mask_token_id: int,
    probability: float = 0.15,
    replace_prob: float = 0.8,
    random_prob: float = 0.1,
    *,
    generator: torch.Generator | None = None,
    word_ids: torch.Tensor | None = None,
    exact: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels) for MLM. input_ids, special_tokens_mask: (B, T); word_ids: (B, T) word index per token
    (-1 for special tokens) for whole-word masking, or None for per-token masking."""
    if not (
        0.0 <= probability <= 1.0
        and 0.0 <= replace_prob
        and 0.0 <= random_prob
        and replace_prob + random_prob <= 1.0 + 1e-9
    ):
        raise ValueError("masking probabilities must lie in [0, 1] and replace + random must not exceed 1")
    if vocab_size < 1:
        raise ValueError("vocab_size must be positive")
    ids = input_ids.clone()
    labels = input_ids.clone()
    special = special_tokens_mask.bool()
    if word_ids is None:
        # each non-special token is a unit of its own
        units = torch.where(special, torch.full_like(ids, -1), torch.arange(ids.shape[1]).expand_as(ids))
    else:
        units = torch.where(special, torch.full_like(ids, -1), word_ids.long())
    # the first token of every unit carries the draw (as the HF collator does for whole words)
    prev = torch.cat([torch.full_like(units[:, :1], -2), units[:, :-1]], dim=1)
    first = (units >= 0) & (units != prev)
    if exact:
        chosen_first = torch.zeros_like(first)
        for b in range(ids.shape[0]):
            pos = first[b].nonzero().flatten()
            k = int(round(probability * len(pos)))
            if len(pos) and probability > 0:
                k = max(k, 1)
            if k:
                pick = pos[torch.randperm(len(pos), generator=generator)[:k]]
                chosen_first[b, pick] = True
    else:
        draw = torch.bernoulli(torch.full(ids.shape, float(probability)), generator=generator).bool()
        chosen_first = draw & first
    # spread a unit's draw over all its tokens: (B, T, T) "same unit" mask, fine for sentence-length T
    same = (units[:, :, None] == units[:, None, :]) & (units[:, :, None] >= 0)
    chosen = (same & chosen_first[:, None, :]).any(dim=2)

    labels[~chosen] = IGNORE
    to_mask = torch.bernoulli(torch.full(ids.shape, float(replace_prob)), generator=generator).bool() & chosen
    ids[to_mask] = mask_token_id
    rest = 1.0 - replace_prob
    scaled = random_prob / rest if rest > 1e-12 else 0.0
    to_random = torch.bernoulli(torch.full(ids.shape, min(scaled, 1.0)), generator=generator).bool() & chosen & ~to_mask
    random_words = torch.randint(vocab_size, ids.shape, generator=generator)
    ids[to_random] = random_words[to_random]
    return ids, labels


def fates(original: torch.Tensor, inputs: torch.Tensor, labels: torch.Tensor, mask_token_id: int) -> torch.Tensor:
    """Per token: KEPT_CONTEXT (not a target), MASKED, RANDOM (replaced by another token) or UNCHANGED (a target
    left as is; a random draw that hit the original token lands here too, hence 10% + 10%/|V|)."""
    target = labels != IGNORE
    out = torch.full_like(inputs, KEPT_CONTEXT)
    out[target & (inputs == mask_token_id) & (original != mask_token_id)] = MASKED
    out[target & (inputs != mask_token_id) & (inputs != original)] = RANDOM
    out[target & (inputs == original)] = UNCHANGED
    return out


def word_ids_from_offsets(offsets: np.ndarray, special_tokens_mask: np.ndarray) -> np.ndarray:
    """Word index per token from character offsets: a token starts a new word when a gap (a space) precedes it,
    so `pro ##ba ##bility` share one id. (B, T, 2), (B, T) -> (B, T) with -1 at special tokens."""
    offsets = np.asarray(offsets)
    special = np.asarray(special_tokens_mask).astype(bool)
    starts, ends = offsets[..., 0], offsets[..., 1]
    prev_ends = np.roll(ends, 1, axis=-1)
    prev_special = np.roll(special, 1, axis=-1)
    prev_ends[..., 0], prev_special[..., 0] = -1, False
    new_word = ~special & ((starts != prev_ends) | prev_special)
    ids = np.cumsum(new_word, axis=-1) - 1
    ids[special] = -1
    return ids


def word_ids_from_spans(
    offsets: list[tuple[int, int]], special_tokens_mask: list[int], spans: list[tuple[int, int]]
) -> list[int]:
    """Word index per token given word spans in the text (e.g. from jieba.tokenize): a token belongs to the span
    containing its first character; -1 for special tokens."""
    out, j = [], 0
    for (s, e), sp in zip(offsets, special_tokens_mask):
        if sp or e <= s:
            out.append(-1)
            continue
        while j < len(spans) - 1 and spans[j][1] <= s:
            j += 1
        out.append(j)
    return out


def jieba_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of jieba's words in `text` (Chinese whole-word masking boundaries)."""
    import jieba

    jieba.setLogLevel(60)
    return [(start, end) for _, start, end in jieba.tokenize(text)]


def binomial_halfwidth(p: float, n: int, z: float = 2.576) -> float:
    """Half-width of the normal-approximation binomial CI (99% by default) for a share p over n trials."""
    return z * float(np.sqrt(max(p * (1 - p), 0.0) / max(n, 1)))


def sample_masks(
    tokenizer,
    text: str,
    n_samples: int,
    *,
    probability: float = 0.15,
    replace_prob: float = 0.8,
    random_prob: float = 0.1,
    exact: bool = False,
    whole_word: str | None = None,
    seed: int = 0,
) -> dict:
    """Mask one sentence `n_samples` times. whole_word: None (per piece), "pieces" (## pieces of a word
    together) or "jieba" (characters of a jieba word together). Returns tokens, what the encoder sees per sample,
    fates (n, T) and shares: chosen among words (non-special tokens) and masked / random / unchanged among targets."""
    enc = tokenizer(
        [text] * n_samples,
        return_special_tokens_mask=True,
        return_offsets_mapping=True,
        truncation=True,
        max_length=128,
        return_tensors="pt",
    )
    ids, special = enc["input_ids"], enc["special_tokens_mask"]
    words = None
    if whole_word == "pieces":
        words = torch.tensor(word_ids_from_offsets(enc["offset_mapping"].numpy(), special.numpy()))
    elif whole_word == "jieba":
        spans = jieba_spans(text)
        row = word_ids_from_spans(enc["offset_mapping"][0].tolist(), special[0].tolist(), spans)
        words = torch.tensor([row] * n_samples)
    g = generator(seed)
    inputs, labels = mask_tokens(
        ids,
        special,
        len(tokenizer),
        tokenizer.mask_token_id,
        probability,
        replace_prob,
        random_prob,
        generator=g,
        word_ids=words,
        exact=exact,
    )
    f = fates(ids, inputs, labels, tokenizer.mask_token_id)
    n_words = int((special == 0).sum())
    n_target = int((labels != IGNORE).sum())
    shares = {"chosen": n_target / max(n_words, 1)}
    for name, code in (("masked", MASKED), ("random", RANDOM), ("unchanged", UNCHANGED)):
        shares[name] = int((f == code).sum()) / max(n_target, 1)
    return {
        "tokens": tokenizer.convert_ids_to_tokens(ids[0]),
        "seen": [tokenizer.convert_ids_to_tokens(r) for r in inputs[:20]],
        "fates": f.numpy(),
        "shares": shares,
        "n_words": n_words,
        "n_target": n_target,
    }
