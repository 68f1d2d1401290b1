"""BERT's masking recipe (engine/bert/masking.py). Oracles: binomial confidence intervals around the paper's 15% and
80/10/10 over >= 100k tokens, and `transformers.DataCollatorForLanguageModeling` (plain and whole-word) run on
the same batch, compared share by share with a two-proportion z-test."""

import math

import pytest
import torch
from transformers import DataCollatorForLanguageModeling

from engine.bert.masking import (
    IGNORE,
    MASKED,
    RANDOM,
    UNCHANGED,
    fates,
    jieba_spans,
    mask_tokens,
    word_ids_from_offsets,
    word_ids_from_spans,
)
from engine.bert.wordpiece import train_wordpiece

Z = 4.0  # |z| bound: a false alarm about once in 15k runs, a real 1-point bias on 100k tokens still fails


def within(k: int, n: int, p: float) -> bool:
    return abs(k - n * p) <= Z * math.sqrt(n * p * (1 - p))


def same_rate(k1, n1, k2, n2) -> bool:
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2)) or 1e-12
    return abs(k1 / n1 - k2 / n2) / se <= Z


@pytest.fixture(scope="module")
def tok():
    lines = [line for line in open("assets/corpora/toy_en.txt", encoding="utf-8").read().splitlines() if line]
    return train_wordpiece(lines + ["probability playing hairy independence"], vocab_size=300)


@pytest.fixture(scope="module")
def batch(tok):
    lines = [line for line in open("assets/corpora/toy_en.txt", encoding="utf-8").read().splitlines() if line]
    texts = (lines * 10)[:14000]
    return tok(texts, padding=True, return_special_tokens_mask=True, return_offsets_mapping=True, return_tensors="pt")


def shares(original, inputs, labels, mask_id):
    f = fates(original, inputs, labels, mask_id)
    return {
        "target": int((labels != IGNORE).sum()),
        "masked": int((f == MASKED).sum()),
        "random": int((f == RANDOM).sum()),
        "unchanged": int((f == UNCHANGED).sum()),
    }


def test_rates_match_15_percent_and_80_10_10(tok, batch):
    ids, special = batch["input_ids"], batch["special_tokens_mask"]
    n = int((special == 0).sum())
    assert n >= 100_000
    g = torch.Generator().manual_seed(0)
    inputs, labels = mask_tokens(ids, special, len(tok), tok.mask_token_id, generator=g)
    s = shares(ids, inputs, labels, tok.mask_token_id)
    V = len(tok)
    assert within(s["target"], n, 0.15)
    assert within(s["masked"], s["target"], 0.8)
    assert within(s["random"], s["target"], 0.1 * (1 - 1 / V))  # a random draw can hit the original token
    assert within(s["unchanged"], s["target"], 0.1 + 0.1 / V)
    # labels hold the original ids exactly at targets
    t = labels != IGNORE
    assert torch.equal(labels[t], ids[t])


def test_special_tokens_never_touched(tok, batch):
    ids, special = batch["input_ids"], batch["special_tokens_mask"].bool()
    inputs, labels = mask_tokens(
        ids, special, len(tok), tok.mask_token_id, probability=0.9, generator=torch.Generator().manual_seed(1)
    )
    assert torch.equal(inputs[special], ids[special])
    assert (labels[special] == IGNORE).all()
    assert (labels[~special] != IGNORE).float().mean() > 0.85


def test_agrees_with_transformers_collator(tok, batch):
    ids, special = batch["input_ids"], batch["special_tokens_mask"]
    coll = DataCollatorForLanguageModeling(tok, mlm_probability=0.15, mask_replace_prob=0.8, random_replace_prob=0.1)
    torch.manual_seed(3)  # the collator draws from the global generator
    hf_inputs, hf_labels = coll.torch_mask_tokens(ids.clone(), special_tokens_mask=special.clone())
    ours = shares(
        ids,
        *mask_tokens(ids, special, len(tok), tok.mask_token_id, generator=torch.Generator().manual_seed(4)),
        tok.mask_token_id,
    )
    theirs = shares(ids, hf_inputs, hf_labels, tok.mask_token_id)
    n = int((special == 0).sum())
    assert same_rate(ours["target"], n, theirs["target"], n)
    for k in ("masked", "random", "unchanged"):
        assert same_rate(ours[k], ours["target"], theirs[k], theirs["target"]), k


def test_exact_count_picks_round_15_percent_per_sequence(tok, batch):
    ids, special = batch["input_ids"][:200], batch["special_tokens_mask"][:200]
    _, labels = mask_tokens(
        ids, special, len(tok), tok.mask_token_id, exact=True, generator=torch.Generator().manual_seed(5)
    )
    n_words = (special == 0).sum(1)
    expected = torch.clamp(torch.round(n_words * 0.15), min=1)
    assert torch.equal((labels != IGNORE).sum(1), expected.long())


def test_bad_probabilities_raise(tok, batch):
    with pytest.raises(ValueError):
        mask_tokens(
            batch["input_ids"][:2],
            batch["special_tokens_mask"][:2],
            len(tok),
            tok.mask_token_id,
            replace_prob=0.9,
            random_prob=0.2,
        )
    _, labels = mask_tokens(
        batch["input_ids"][:50], batch["special_tokens_mask"][:50], len(tok), tok.mask_token_id, probability=0.0
    )
    assert (labels == IGNORE).all()


def test_whole_word_masking_never_splits_a_word_and_matches_collator(tok):
    texts = ["probability of playing with a hairy independence"] * 1000
    enc = tok(texts, return_special_tokens_mask=True, return_offsets_mapping=True, return_tensors="pt")
    words = torch.tensor(word_ids_from_offsets(enc["offset_mapping"].numpy(), enc["special_tokens_mask"].numpy()))
    assert len(set(words[0].tolist())) - 1 < int((enc["special_tokens_mask"][0] == 0).sum())  # some word is split
    inputs, labels = mask_tokens(
        enc["input_ids"],
        enc["special_tokens_mask"],
        len(tok),
        tok.mask_token_id,
        word_ids=words,
        generator=torch.Generator().manual_seed(6),
    )
    target = labels != IGNORE
    n_words = 0
    chosen_words = 0
    for r in range(len(texts)):
        for w in set(words[r].tolist()) - {-1}:
            cells = target[r][words[r] == w]
            assert cells.all() or not cells.any(), "a word was split"
            n_words += 1
            chosen_words += int(cells.all())
    assert within(chosen_words, n_words, 0.15)
    # the collator's whole-word mode on the same offsets chooses words at the same rate
    coll = DataCollatorForLanguageModeling(tok, whole_word_mask=True, mlm_probability=0.15)
    torch.manual_seed(7)
    _, hf_labels = coll.torch_mask_tokens(
        enc["input_ids"].clone(), special_tokens_mask=enc["special_tokens_mask"], offset_mapping=enc["offset_mapping"]
    )
    hf_target = hf_labels != IGNORE
    hf_chosen = sum(
        int(hf_target[r][words[r] == w].all()) for r in range(len(texts)) for w in set(words[r].tolist()) - {-1}
    )
    assert same_rate(chosen_words, n_words, hf_chosen, n_words)
    assert same_rate(int(target.sum()), target.numel(), int(hf_target.sum()), hf_target.numel())


def test_chinese_whole_word_masking_follows_jieba_words():
    text = "使用语言模型来预测下一个词的概率"
    tz = train_wordpiece([text, "我们 喜欢 自然 语言 处理"], vocab_size=100, min_frequency=1)
    enc = tz([text] * 1000, return_special_tokens_mask=True, return_offsets_mapping=True)
    spans = jieba_spans(text)
    assert "".join(text[s:e] for s, e in spans) == text
    words = torch.tensor(
        [word_ids_from_spans(o, s, spans) for o, s in zip(enc["offset_mapping"], enc["special_tokens_mask"])]
    )
    assert words.max() + 1 == len(spans) < len(text)  # fewer words than characters: real multi-character words
    ids = torch.tensor(enc["input_ids"])
    _, labels = mask_tokens(
        ids,
        torch.tensor(enc["special_tokens_mask"]),
        len(tz),
        tz.mask_token_id,
        word_ids=words,
        generator=torch.Generator().manual_seed(8),
    )
    target = labels != IGNORE
    for w in range(len(spans)):
        cells = target[:, words[0] == w]
        assert (cells.all(1) | ~cells.any(1)).all(), f"jieba word {text[slice(*spans[w])]} was split"
