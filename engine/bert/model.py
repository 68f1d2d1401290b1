"""A tiny BERT (transformers' `BertForPreTraining`) pre-trained live on masked LM + next-sentence prediction.

Loss (Devlin et al. 2019): L = L_MLM + L_NSP, where L_MLM is the cross-entropy over the masked positions only
(labels -100 elsewhere) and L_NSP the binary cross-entropy of the [CLS] classifier on IsNext / NotNext.

Speed matters (60 s on 2 CPU cores): pairs are tokenised once up front (`build_pretrain_data`), masking is
redrawn per batch (dynamic, as RoBERTa), the MLM head runs only on the ~15% masked positions rather than on
every position, and dropout is 0 (a 60-second run cannot over-fit; ALBERT v2 dropped it as well).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import BertConfig, BertForPreTraining, PreTrainedTokenizerFast

from engine.bert.masking import IGNORE, mask_tokens
from engine.bert.nsp import nsp_pairs
from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.train import Progress


class BertInputError(InputError):
    """Bad user input for a tiny-BERT demo; `.code` names the i18n message."""


@dataclass(frozen=True)
class TinyBertConfig(Checked):
    error = BertInputError
    layers: int = 2
    hidden: int = 128
    heads: int = 4
    intermediate: int = 512
    max_len: int = 32  # tokens per pair (positions); short pairs keep a step near 50 ms on one core
    activation: str = "gelu"  # "gelu" | "relu"
    dropout: float = 0.0
    lr: float = 2e-3
    warmup: float = 0.05  # share of steps with a linear warm-up
    batch_size: int = 32
    steps: int = 900  # about 60 s on one shared core; the panel's time cap stops earlier if slower
    mlm_probability: float = 0.15
    eval_every: int = 50
    seed: int = 0

    def checks(self):
        yield 1 <= self.layers <= 12, "bad_config", "layers must be between 1 and 12"
        yield 8 <= self.hidden <= 768, "bad_config", "hidden size must be between 8 and 768"
        yield (
            1 <= self.heads <= 16 and self.hidden % self.heads == 0,
            "bad_config",
            "hidden size must be a multiple of heads",
        )
        yield 8 <= self.intermediate <= 4096, "bad_config", "intermediate size must be between 8 and 4096"
        yield 8 <= self.max_len <= 512, "bad_config", "max length must be between 8 and 512"
        yield self.activation in ("gelu", "relu"), "bad_config", "activation must be gelu or relu"
        yield finite(self.dropout) and 0.0 <= self.dropout < 1.0, "bad_config", "dropout must be in [0, 1)"
        yield finite(self.lr) and 0.0 < self.lr <= 0.1, "bad_config", "learning rate must be in (0, 0.1]"
        yield finite(self.warmup) and 0.0 <= self.warmup < 1.0, "bad_config", "warm-up share must be in [0, 1)"
        yield 1 <= self.batch_size <= 512, "bad_config", "batch size must be between 1 and 512"
        yield 1 <= self.steps <= 100_000 and self.eval_every >= 1, "bad_config", "steps must be between 1 and 100000"
        yield (
            finite(self.mlm_probability) and 0.0 < self.mlm_probability < 1.0,
            "bad_config",
            "masking probability must be in (0, 1)",
        )


def bert_config(cfg: TinyBertConfig, vocab_size: int) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=cfg.hidden,
        num_hidden_layers=cfg.layers,
        num_attention_heads=cfg.heads,
        intermediate_size=cfg.intermediate,
        hidden_act=cfg.activation,
        hidden_dropout_prob=cfg.dropout,
        attention_probs_dropout_prob=cfg.dropout,
        max_position_embeddings=cfg.max_len,
        type_vocab_size=2,
        pad_token_id=0,
        attn_implementation="eager",
    )  # eager: attention weights come back for the head view


class BertLogits(NamedTuple):
    mlm: torch.Tensor  # (M, V) at the labelled positions, or (B, T, V) when no labels are given
    nsp: torch.Tensor  # (B, 2) IsNext / NotNext


class TinyBert(nn.Module):
    """`BertForPreTraining` with a forward that scores the MLM head only where labels != -100.
    forward(input_ids, token_type_ids, attention_mask, labels=None, next_sentence_label=None)
    -> (BertLogits(mlm, nsp), loss): loss = L_MLM + L_NSP (L_NSP only with next_sentence_label), None without
    labels; loss_parts(...) gives the two terms."""

    def __init__(self, cfg: TinyBertConfig, tokenizer: PreTrainedTokenizerFast):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.tokenizer = tokenizer
        with seeded(cfg.seed):  # transformers' init, from the seed's own generator (never the global RNG)
            self.net = BertForPreTraining(bert_config(cfg, len(tokenizer)))

    def forward(
        self, input_ids, token_type_ids, attention_mask, labels=None, next_sentence_label=None
    ) -> tuple[BertLogits, torch.Tensor | None]:
        out = self.net.bert(input_ids=input_ids, token_type_ids=token_type_ids, attention_mask=attention_mask)
        seq, pooled = out.last_hidden_state, out.pooler_output  # (B, T, H), (B, H)
        nsp_logits = self.net.cls.seq_relationship(pooled)  # (B, 2)
        if labels is None:
            return BertLogits(self.net.cls.predictions(seq), nsp_logits), None
        logits = BertLogits(self.net.cls.predictions(seq[labels != IGNORE]), nsp_logits)  # (M, V): the ~15% targets
        parts = self.loss_parts(logits, labels, next_sentence_label)
        return logits, parts["mlm"] + parts["nsp"] if "nsp" in parts else parts["mlm"]

    @staticmethod
    def loss_parts(
        logits: BertLogits, labels: torch.Tensor, next_sentence_label: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        """{"mlm": cross-entropy over the labelled positions, "nsp": cross-entropy of IsNext (with labels)}."""
        picked = labels != IGNORE
        parts = {"mlm": F.cross_entropy(logits.mlm, labels[picked]) if picked.any() else logits.mlm.sum() * 0.0}
        if next_sentence_label is not None:
            parts["nsp"] = F.cross_entropy(logits.nsp, next_sentence_label)
        return parts


@dataclass
class PretrainData:
    input_ids: torch.Tensor  # (N, T) padded
    token_type_ids: torch.Tensor  # (N, T)
    attention_mask: torch.Tensor  # (N, T)
    special_tokens_mask: torch.Tensor  # (N, T), 1 at [CLS]/[SEP]/[PAD]
    nsp_labels: torch.Tensor  # (N,)
    eval_inputs: torch.Tensor  # held-out pairs, masked once with a fixed seed
    eval_token_type_ids: torch.Tensor
    eval_attention_mask: torch.Tensor
    eval_labels: torch.Tensor
    eval_nsp: torch.Tensor
    unigram_id: int  # most frequent target token in training: the unigram baseline's constant guess
    token_counts: torch.Tensor  # (V,) how often each id occurs as a (non-special) training token

    @property
    def unigram_accuracy(self) -> float:
        picked = self.eval_labels != IGNORE
        return float((self.eval_labels[picked] == self.unigram_id).float().mean()) if picked.any() else 0.0


def _encode(tokenizer, pairs, max_len):
    enc = tokenizer(
        [p.a for p in pairs],
        [p.b for p in pairs],
        truncation="longest_first",
        max_length=max_len,
        padding="max_length",
        return_special_tokens_mask=True,
        return_tensors="pt",
    )
    labels = torch.tensor([p.label for p in pairs])
    return enc, labels


def build_pretrain_data(
    documents: list[list[str]],
    tokenizer: PreTrainedTokenizerFast,
    cfg: TinyBertConfig,
    n_pairs: int = 20_000,
    n_eval: int = 256,
    eval_share: float = 0.1,
) -> PretrainData:
    """Tokenise NSP pairs once: training pairs from the first documents, evaluation pairs from the last
    `eval_share` of them (held out), masked once so every evaluation scores the same targets."""
    docs = [d for d in documents if d]
    if len(docs) < 4:
        raise BertInputError("few_docs", "need at least 4 documents")
    cut = max(2, min(len(docs) - 2, int(round(len(docs) * (1 - eval_share)))))
    rng = np.random.default_rng(cfg.seed)
    train_pairs = nsp_pairs(docs[:cut], n_pairs, rng)
    eval_pairs = nsp_pairs(docs[cut:], n_eval, rng)
    enc, nsp = _encode(tokenizer, train_pairs, cfg.max_len)
    ev, ev_nsp = _encode(tokenizer, eval_pairs, cfg.max_len)
    g = generator(cfg.seed + 1)
    ev_inputs, ev_labels = mask_tokens(
        ev["input_ids"],
        ev["special_tokens_mask"],
        len(tokenizer),
        tokenizer.mask_token_id,
        cfg.mlm_probability,
        generator=g,
    )
    ids = enc["input_ids"][enc["special_tokens_mask"] == 0]
    counts = torch.bincount(ids, minlength=len(tokenizer))
    unigram_id = int(counts.argmax()) if len(ids) else 0
    return PretrainData(
        enc["input_ids"],
        enc["token_type_ids"],
        enc["attention_mask"],
        enc["special_tokens_mask"],
        nsp,
        ev_inputs,
        ev["token_type_ids"],
        ev["attention_mask"],
        ev_labels,
        ev_nsp,
        unigram_id,
        counts,
    )


def warmup_linear(step: int, total: int, warmup: float) -> float:
    """BERT's schedule: linear warm-up over the first `warmup` share of steps, then linear decay to 0."""
    w = max(1, int(total * warmup))
    return (step + 1) / w if step < w else max(0.0, (total - step) / max(1, total - w))


@torch.no_grad()
def evaluate(model: TinyBert, data: PretrainData) -> dict[str, float]:
    """Top-1 MLM accuracy on the held-out masked targets and NSP accuracy on the held-out pairs."""
    (mlm_logits, nsp_logits), _ = model(
        data.eval_inputs, data.eval_token_type_ids, data.eval_attention_mask, labels=data.eval_labels
    )
    picked = data.eval_labels != IGNORE
    mlm_acc = float((mlm_logits.argmax(-1) == data.eval_labels[picked]).float().mean()) if picked.any() else 0.0
    nsp_acc = float((nsp_logits.argmax(-1) == data.eval_nsp).float().mean())
    return {"mlm_acc": mlm_acc, "nsp_acc": nsp_acc}


def train_bert(model: TinyBert, data: PretrainData) -> Iterator[Progress]:
    """Pre-train in place on MLM + NSP (AdamW, gradients clipped to norm 1, dropout masks seeded); yields
    Progress(loss = total, metrics: mlm_loss, nsp_loss, lr, and at the evaluation steps mlm_acc / nsp_acc on
    held-out pairs plus the unigram baseline)."""
    cfg = model.cfg
    g = generator(cfg.seed + 2)
    masks = generator(cfg.seed + 3)
    with torch.no_grad():
        # start the MLM output bias at the log unigram prior: step 0 already predicts like the unigram baseline, so
        # the short run is spent on context instead of first learning word frequencies (a "good init" trick)
        prior = (data.token_counts.float() + 1.0).log()
        model.net.cls.predictions.bias.copy_(prior - prior.logsumexp(0))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)
    n = data.input_ids.shape[0]
    tok = model.tokenizer
    baseline = data.unigram_accuracy
    for step in range(cfg.steps):
        lr = cfg.lr * warmup_linear(step, cfg.steps, cfg.warmup)
        for group in opt.param_groups:
            group["lr"] = lr
        idx = torch.randint(n, (cfg.batch_size,), generator=g)
        am = data.attention_mask[idx]
        width = int(am.sum(1).max())  # trim the batch's padding columns
        ids, labels = mask_tokens(
            data.input_ids[idx, :width],
            data.special_tokens_mask[idx, :width],
            len(tok),
            tok.mask_token_id,
            cfg.mlm_probability,
            generator=g,
        )
        model.train()
        opt.zero_grad(set_to_none=True)
        nsp = data.nsp_labels[idx]
        with seeded(masks):
            logits, loss = model(ids, data.token_type_ids[idx, :width], am[:, :width], labels, nsp)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            parts = model.loss_parts(logits, labels, nsp)
        metrics = {"mlm_loss": parts["mlm"].item(), "nsp_loss": parts["nsp"].item(), "lr": lr}
        if (step + 1) % cfg.eval_every == 0 or step == 0 or step + 1 == cfg.steps:
            model.eval()
            metrics.update(evaluate(model, data), unigram_acc=baseline)
        yield Progress(step + 1, cfg.steps, loss.item(), metrics)


MAX_MASKS = 8


def _prepare(text: str, max_len: int) -> str:
    text = re.sub(r"\[\s*mask\s*\]", "[MASK]", text or "", flags=re.IGNORECASE)
    if not text.strip():
        raise BertInputError("empty", "the sentence is empty")
    if len(text) > 20 * max_len:
        raise BertInputError("too_long", f"the sentence is longer than {20 * max_len} characters")
    return text


@torch.no_grad()
def predict_masked(model: TinyBert, text: str, k: int = 5) -> list[tuple[int, list[tuple[str, float]]]]:
    """Top-k fillers for every [MASK] in `text`: [(token position, [(token, probability), ...]), ...]."""
    tok = model.tokenizer
    text = _prepare(text, model.cfg.max_len)
    enc = tok(text, return_tensors="pt")
    ids = enc["input_ids"]
    if ids.shape[1] > model.cfg.max_len:
        raise BertInputError("too_long", f"the sentence has more than {model.cfg.max_len} tokens")
    where = (ids[0] == tok.mask_token_id).nonzero().flatten().tolist()
    if not where:
        raise BertInputError("no_mask", "the sentence has no [MASK]")
    if len(where) > MAX_MASKS:
        raise BertInputError("many_masks", f"more than {MAX_MASKS} [MASK] tokens")
    frame = {tok.cls_token_id, tok.sep_token_id, tok.pad_token_id, tok.mask_token_id}
    words = [i for i in ids[0].tolist() if i not in frame]
    if words and all(i == tok.unk_token_id for i in words):
        raise BertInputError("all_unknown", "every word is unknown to the vocabulary")
    model.eval()
    (logits, _), _ = model(ids, enc["token_type_ids"], enc["attention_mask"])  # (1, T, V)
    probs = logits[0, where].softmax(-1)
    probs[:, tok.all_special_ids] = 0.0  # a filler is a word piece, never [CLS]/[PAD]/...
    top = probs.topk(min(k, probs.shape[-1]), dim=-1)
    return [
        (pos, [(tok.convert_ids_to_tokens(int(i)), float(p)) for p, i in zip(top.values[r], top.indices[r])])
        for r, pos in enumerate(where)
    ]


@torch.no_grad()
def encode_pair(tokenizer: PreTrainedTokenizerFast, a: str, b: str | None, max_len: int = 64) -> dict:
    """Tokens, ids, segment ids and position ids of `[CLS] a [SEP] b [SEP]`."""
    if not (a or "").strip():
        raise BertInputError("empty", "sentence A is empty")
    enc = tokenizer(a, b if b and b.strip() else None, truncation=True, max_length=max_len)
    ids = enc["input_ids"]
    return {
        "tokens": tokenizer.convert_ids_to_tokens(ids),
        "input_ids": ids,
        "token_type_ids": enc["token_type_ids"],
        "position_ids": list(range(len(ids))),
    }


@torch.no_grad()
def embedding_parts(model: TinyBert, enc: dict) -> dict[str, np.ndarray]:
    """BERT's input representation: token + segment + position embeddings (each (T, H)) and their sum, which
    LayerNorm then normalises."""
    emb = model.net.bert.embeddings
    ids = torch.tensor(enc["input_ids"])
    parts = {
        "token": emb.word_embeddings(ids),
        "segment": emb.token_type_embeddings(torch.tensor(enc["token_type_ids"])),
        "position": emb.position_embeddings(torch.tensor(enc["position_ids"])),
    }
    parts["sum"] = parts["token"] + parts["segment"] + parts["position"]
    return {k: v.numpy() for k, v in parts.items()}


@torch.no_grad()
def attentions(model: TinyBert, text_a: str, text_b: str | None = None) -> tuple[list[str], np.ndarray]:
    """(tokens, weights (layers, heads, T, T)) of the tiny model on a sentence (pair)."""
    enc = encode_pair(model.tokenizer, _prepare(text_a, model.cfg.max_len), text_b, model.cfg.max_len)
    model.eval()
    out = model.net.bert(
        input_ids=torch.tensor([enc["input_ids"]]),
        token_type_ids=torch.tensor([enc["token_type_ids"]]),
        output_attentions=True,
    )
    return enc["tokens"], torch.stack(out.attentions)[:, 0].numpy()


def num_steps_per_epoch(data: PretrainData, cfg: TinyBertConfig) -> int:
    return math.ceil(data.input_ids.shape[0] / cfg.batch_size)
