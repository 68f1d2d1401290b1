"""Seeded toy seq2seq tasks on digit strings: copy, reverse, sort.

Small enough to learn in under a minute on one CPU thread, and their attention is easy to read: for *copy*
the cross-attention of output i sits on input i (a diagonal), for *reverse* on input n−1−i (an anti-diagonal),
for *sort* on the input positions holding the next-smallest digit.

Vocabulary: 0 = <pad>, 1 = <bos>, 2 = <eos>, 3..12 = the digits 0..9.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from engine.core.config import Checked
from engine.core.errors import InputError
from engine.core.seeding import generator

PAD, BOS, EOS = 0, 1, 2
SPECIALS = ("<pad>", "<bos>", "<eos>")
VOCAB = SPECIALS + tuple(str(d) for d in range(10))
TASKS = ("copy", "reverse", "sort")


def token_name(token: int) -> str:
    return VOCAB[token] if 0 <= token < len(VOCAB) else "?"


def encode_digits(text: str) -> list[int]:
    """'3141' -> digit token ids. Raises ValueError on anything that is not a digit (spaces are ignored)."""
    text = "".join(text.split())
    if not text:
        raise ValueError("empty input")
    if not all(ch in "0123456789" for ch in text):
        raise ValueError("only the digits 0-9 are allowed")
    return [int(ch) + len(SPECIALS) for ch in text]


def decode_digits(tokens: list[int]) -> str:
    return "".join(VOCAB[t] for t in tokens if t >= len(SPECIALS) and t < len(VOCAB))


def shift_right(target: torch.Tensor, bos: int = BOS) -> torch.Tensor:
    """Decoder input for teacher forcing: <bos> y_1 … y_{n−1} (the labels are y_1 … y_n)."""
    start = torch.full_like(target[..., :1], bos)
    return torch.cat([start, target[..., :-1]], dim=-1)


def apply_task(task: str, digits: list[int]) -> list[int]:
    if task == "copy":
        return list(digits)
    if task == "reverse":
        return list(reversed(digits))
    if task == "sort":
        return sorted(digits)
    raise ValueError(f"unknown task {task!r}")


class ToyTaskInputError(InputError):
    """Settings no toy task can be generated with; `.code` names the reason."""


@dataclass(frozen=True)
class ToyTask(Checked):
    error = ToyTaskInputError
    task: str = "reverse"
    min_len: int = 3
    max_len: int = 8
    seed: int = 0

    def checks(self):
        yield self.task in TASKS, "task", f"unknown task {self.task!r}"
        yield 1 <= self.min_len <= self.max_len <= 30, "length", "lengths must satisfy 1 <= min_len <= max_len <= 30"

    @property
    def vocab_size(self) -> int:
        return len(VOCAB)

    def target(self, src_tokens: list[int]) -> list[int]:
        """The correct output tokens (with a final <eos>) for source digit tokens."""
        return apply_task(self.task, src_tokens) + [EOS]

    def batch(self, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(src (B, max_len), tgt_in (B, max_len + 1), tgt_out (B, max_len + 1)), right-padded with PAD."""
        self.validate()
        lens = torch.randint(self.min_len, self.max_len + 1, (batch_size,), generator=gen)
        digits = torch.randint(len(SPECIALS), len(VOCAB), (batch_size, self.max_len), generator=gen)
        src = torch.full((batch_size, self.max_len), PAD, dtype=torch.long)
        tgt_out = torch.full((batch_size, self.max_len + 1), PAD, dtype=torch.long)
        for b in range(batch_size):
            seq = digits[b, : lens[b]].tolist()
            src[b, : len(seq)] = torch.tensor(seq)
            out = self.target(seq)
            tgt_out[b, : len(out)] = torch.tensor(out)
        tgt_in = shift_right(tgt_out).masked_fill(tgt_out == PAD, PAD)  # no input where there is no label
        return src, tgt_in, tgt_out

    def held_out(self, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """A fixed evaluation batch, drawn from its own seed so training batches never depend on it."""
        return self.batch(batch_size, generator(self.seed + 10_007))
