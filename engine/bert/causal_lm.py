"""A tiny GPT-style causal language model on the same WordPiece pieces as the tiny BERT (bert-06-1, 07-3, 08).

The network is engine.transformer.tiny_encoder with `causal=True`: position i attends to j <= i only (the lower-triangular
mask of a Transformer decoder), and the logits at position i are a distribution over the token at i + 1:
P(x_{i+1} | x_0..x_i). Sentences are encoded as `[CLS] pieces [SEP]` by the BERT tokenizer, so [CLS] plays the
role of a beginning-of-sentence token and both models share one vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
from transformers import PreTrainedTokenizerFast

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator
from engine.core.train import Progress
from engine.transformer.tiny_encoder import IGNORE, EncoderConfig, TinyEncoder


class CausalInputError(InputError):
    """Bad input for the MLM-vs-causal lab; `.code` names the i18n message."""


@dataclass(frozen=True)
class CausalLMConfig(Checked):
    error = CausalInputError
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 256
    max_len: int = 32  # the tiny BERT's sequence length
    batch_size: int = 32
    steps: int = 800  # the panel's 30 s cap usually ends it earlier on a shared CPU
    lr: float = 3e-3
    eval_every: int = 25
    seed: int = 0

    def checks(self):
        yield 1 <= self.n_heads <= 16 and 1 <= self.n_layers <= 8, "bad_config", "1-16 heads, 1-8 layers"
        yield (
            self.n_heads <= self.d_model <= 512 and self.d_model % self.n_heads == 0,
            "bad_config",
            "d_model must be a multiple of the heads, at most 512",
        )
        yield 1 <= self.d_ff <= 4096 and 2 <= self.max_len <= 512, "bad_config", "d_ff 1-4096, max_len 2-512"
        yield 1 <= self.batch_size <= 1024, "bad_config", "the batch must be between 1 and 1024"
        yield 1 <= self.steps <= 100_000 and self.eval_every >= 1, "bad_config", "steps must be between 1 and 100000"
        yield finite(self.lr) and 0 < self.lr <= 1, "bad_config", "the learning rate must be in (0, 1]"


@dataclass
class LMData:
    train: torch.Tensor  # (N, T) "[CLS] sentence [SEP]" padded with [PAD]
    held_out: torch.Tensor  # (M, T)
    unigram_id: int  # the most frequent next token: the baseline's constant guess

    @property
    def unigram_accuracy(self) -> float:
        _, y = shift(self.held_out, 0)
        keep = y != IGNORE
        return float((y[keep] == self.unigram_id).float().mean()) if keep.any() else 0.0


def shift(ids: torch.Tensor, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets): targets[:, i] = ids[:, i + 1]; -100 at padding and at the last position."""
    y = torch.full_like(ids, IGNORE)
    y[:, :-1] = ids[:, 1:]
    y[y == pad_id] = IGNORE
    return ids, y


def build_lm_data(
    documents: list[list[str]],
    tokenizer: PreTrainedTokenizerFast,
    max_len: int = 32,
    held_out_share: float = 0.1,
    max_sentences: int = 20_000,
    max_held_out: int = 256,
) -> LMData:
    """The last `held_out_share` of the sentences (at most `max_held_out`: evaluation must stay cheap) are held
    out for the accuracy metric."""
    sents = [s for d in documents for s in d if s and s.strip()][:max_sentences]
    if len(sents) < 10:
        raise CausalInputError("few_docs", "need at least 10 sentences")
    enc = tokenizer(sents, truncation=True, max_length=max_len, padding="max_length", return_tensors="pt")
    ids = enc["input_ids"]
    cut = max(1, int(len(sents) * (1 - held_out_share)))
    _, y = shift(ids[:cut], tokenizer.pad_token_id)
    counts = torch.bincount(y[y != IGNORE], minlength=len(tokenizer))
    return LMData(ids[:cut], ids[cut : cut + max_held_out], int(counts.argmax()))


class CausalLM(TinyEncoder):
    """TinyEncoder with the causal mask and the tokenizer it reads. forward(ids, targets) -> (logits, loss)."""

    def __init__(self, cfg: CausalLMConfig, tokenizer: PreTrainedTokenizerFast):
        cfg.validate()
        super().__init__(
            EncoderConfig(
                vocab_size=len(tokenizer),
                d_model=cfg.d_model,
                n_heads=cfg.n_heads,
                n_layers=cfg.n_layers,
                d_ff=cfg.d_ff,
                max_len=cfg.max_len,
                causal=True,
                pad_id=tokenizer.pad_token_id,
                seed=cfg.seed,
            )
        )
        self.lm_cfg = cfg
        self.tokenizer = tokenizer


@torch.no_grad()
def evaluate(model: CausalLM, data: LMData) -> dict[str, float]:
    model.eval()
    x, y = shift(data.held_out, model.tokenizer.pad_token_id)
    logits, loss = model(x, y)
    keep = y != IGNORE
    return {"eval_loss": float(loss), "acc": float((logits.argmax(-1)[keep] == y[keep]).float().mean())}


def train_causal_lm(model: CausalLM, data: LMData) -> Iterator[Progress]:
    """Next-token cross-entropy with Adam; metrics every eval_every steps: held-out acc, eval_loss and the
    unigram baseline's accuracy."""
    cfg = model.lm_cfg
    g = generator(cfg.seed + 1)
    pad = model.tokenizer.pad_token_id
    with torch.no_grad():  # start the output bias at the log unigram prior (as engine.bert.model does for the MLM)
        _, y = shift(data.train, pad)
        prior = (torch.bincount(y[y != IGNORE], minlength=model.head.bias.shape[0]).float() + 1).log()
        model.head.bias.copy_(prior - prior.logsumexp(0))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    base = data.unigram_accuracy
    n = data.train.shape[0]
    for step in range(cfg.steps):
        batch = data.train[torch.randint(n, (cfg.batch_size,), generator=g)]
        width = int((batch != pad).sum(1).max())  # trim padding columns
        model.train()
        opt.zero_grad(set_to_none=True)
        _, loss = model(*shift(batch[:, :width], pad))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        metrics = {}
        if step == 0 or (step + 1) % cfg.eval_every == 0 or step + 1 == cfg.steps:
            metrics = {**evaluate(model, data), "unigram_acc": base}
        yield Progress(step + 1, cfg.steps, loss.item(), metrics)
