"""Two ways to use a pre-trained encoder downstream (bert-07-2): ELMo's feature-based way vs BERT's fine-tuning.

    features   the encoder is frozen; a scalar mix of ALL its layers (Peters et al. 2018, eq. 1)
                   h_i = gamma * sum_j softmax(w)_j * h_ij        (j = embeddings, layer 1, ..., layer L)
               is mean-pooled and fed to a small linear head. Only w, gamma and the head train.
    finetune   the encoder itself becomes the task model: its top layer is mean-pooled into the same kind of
               head and every weight is updated (Devlin et al. 2019, section 3.2).

The encoder is a tiny BERT (transformers' `BertModel`, e.g. `engine.bert.model.TinyBert.net.bert`); each mode works on
its own deep copy, so the model it came from is never touched.

The downstream task needs no labels from anyone: "is this sentence in its real word order, or shuffled?" (the
word-order probing task of Conneau et al. 2018). A bag of words cannot answer it; a model of context can.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.side_by_side import train_side_by_side
from engine.core.train import Progress

MODES = ("features", "finetune")


class TransferInputError(InputError):
    """Input the lab cannot use; `.code` names the i18n message."""


@dataclass(frozen=True)
class TransferConfig(Checked):
    error = TransferInputError
    n_train: int = 512
    n_val: int = 256
    max_len: int = 24  # word pieces per sentence, [CLS] and [SEP] included
    steps: int = 150
    batch_size: int = 32
    lr_features: float = 1e-2  # only a few hundred parameters: a large step is fine
    lr_finetune: float = 5e-4  # every encoder weight moves: a small step, as BERT fine-tuning uses
    eval_every: int = 10
    clip_norm: float | None = None
    seed: int = 0

    def checks(self):
        yield 16 <= self.n_train <= 20_000 and 16 <= self.n_val <= 5000, "size", "16-20000 training sentences"
        yield 8 <= self.max_len <= 512, "length", "max length must be 8-512"
        yield (
            1 <= self.steps <= 20_000 and 1 <= self.batch_size <= 1024 and self.eval_every >= 1,
            "steps",
            "steps 1-20000, batch 1-1024",
        )
        yield (
            all(finite(v) and 0 < v <= 1 for v in (self.lr_features, self.lr_finetune)),
            "lr",
            "learning rates must be in (0, 1]",
        )


class ScalarMix(nn.Module):
    """ELMo's task-specific layer combination: gamma * sum_j softmax(w)_j h_j; starts as an even average."""

    def __init__(self, n_layers: int):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(n_layers))
        self.gamma = nn.Parameter(torch.ones(()))

    def weights(self) -> torch.Tensor:
        return self.w.softmax(0)

    def forward(self, layers: tuple[torch.Tensor, ...]) -> torch.Tensor:
        s = self.weights()
        return self.gamma * sum(s[j] * h for j, h in enumerate(layers))  # (B, T, H)


class FeatureFinetuneClassifier(nn.Module):
    """A copy of a BERT encoder used one of the two ways (features: frozen, read through a scalar mix of all its
    layers; finetune: trained, its top layer read) + mean pooling + a linear head.
    forward(ids, attention_mask, targets=None, layers=None) -> (logits (B, C), loss or None)."""

    def __init__(self, encoder: nn.Module, mode: str, n_classes: int = 2, seed: int = 0):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.encoder = copy.deepcopy(encoder)
        self.encoder.pooler = None  # BERT's [CLS] pooler is not used: both modes mean-pool
        self.encoder.requires_grad_(mode == "finetune")
        cfg = self.encoder.config
        self.mix = ScalarMix(cfg.num_hidden_layers + 1) if mode == "features" else None
        with seeded(seed):  # nn.Linear's own init, never the global RNG (overwritten just below)
            self.head = nn.Linear(cfg.hidden_size, n_classes)
        g = generator(seed)  # both modes start from the same head
        with torch.no_grad():
            self.head.weight.copy_(torch.randn(self.head.weight.shape, generator=g) * 0.02)
            self.head.bias.zero_()

    @torch.no_grad()
    def frozen_layers(self, ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Feature mode: every layer's output of the frozen encoder, (L+1, B, T, H). Computable once per input."""
        self.encoder.eval()
        out = self.encoder(input_ids=ids, attention_mask=attention_mask, output_hidden_states=True)
        return torch.stack(out.hidden_states)

    def classify(self, h: torch.Tensor, attention_mask: torch.Tensor, targets: torch.Tensor | None = None):
        """h: (L+1, B, T, H) frozen layers (feature mode) or (B, T, H) top layer -> (logits, loss)."""
        if self.mode == "features":
            h = self.mix(tuple(h))  # (B, T, H)
        keep = attention_mask.unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1)  # mean over real tokens, (B, H)
        logits = self.head(pooled)
        return logits, None if targets is None else F.cross_entropy(logits, targets)

    def forward(
        self,
        ids: torch.Tensor,
        attention_mask: torch.Tensor,
        targets: torch.Tensor | None = None,
        layers: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """layers: feature mode only, the frozen encoder's outputs for these ids (frozen_layers(ids, mask)), e.g.
        cached once; computed here when not given."""
        if self.mode == "features":
            h = self.frozen_layers(ids, attention_mask) if layers is None else layers  # no graph through the encoder
        elif layers is not None:
            raise ValueError("cached layers are for the feature mode only")
        else:
            h = self.encoder(input_ids=ids, attention_mask=attention_mask).last_hidden_state  # (B, T, H)
        return self.classify(h, attention_mask, targets)

    def trainable(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def trainable_parts(self) -> dict[str, int]:
        """Trainable parameters by part: encoder, scalar mix, head."""
        parts = {"encoder": self.encoder, "mix": self.mix, "head": self.head}
        return {
            k: sum(p.numel() for p in m.parameters() if p.requires_grad) if m is not None else 0
            for k, m in parts.items()
        }


@dataclass(frozen=True)
class OrderTask:
    ids: torch.Tensor  # (N, T) word-piece ids, [CLS] ... [SEP], padded
    mask: torch.Tensor  # (N, T) attention mask
    y: torch.Tensor  # (N,) 1 = real order, 0 = shuffled
    ids_val: torch.Tensor
    mask_val: torch.Tensor
    y_val: torch.Tensor


def word_order_task(sentences: list[str], tokenizer, cfg: TransferConfig) -> OrderTask:
    """Half of the sentences keep their word-piece order, the other half are shuffled (never back to the same
    order). Training and validation sentences are disjoint."""
    cfg.validate()
    g = generator(cfg.seed)
    body = cfg.max_len - 2
    need = cfg.n_train + cfg.n_val
    pieces = []
    for i in torch.randperm(len(sentences), generator=g).tolist():  # a seeded sample; stop once there are enough
        ids = tokenizer(sentences[i][:2000], add_special_tokens=False)["input_ids"][:body]
        if len(ids) >= 5 and len(set(ids)) >= 3 and ids.count(tokenizer.unk_token_id) < len(ids) / 2:
            pieces.append(ids)
            if len(pieces) == need:
                break
    if len(pieces) < 40:
        raise TransferInputError("few_sentences", f"only {len(pieces)} usable sentences")
    n_val = max(8, min(cfg.n_val, len(pieces) // 3))
    rows, labels = [], []
    for ids in pieces:
        real = bool(torch.rand((), generator=g) < 0.5)
        if not real:
            perm = torch.randperm(len(ids), generator=g).tolist()
            while [ids[i] for i in perm] == ids:
                perm = torch.randperm(len(ids), generator=g).tolist()
            ids = [ids[i] for i in perm]
        rows.append([tokenizer.cls_token_id, *ids, tokenizer.sep_token_id])
        labels.append(int(real))
    x = torch.full((len(rows), cfg.max_len), tokenizer.pad_token_id, dtype=torch.long)
    for i, r in enumerate(rows):
        x[i, : len(r)] = torch.tensor(r)
    m = (x != tokenizer.pad_token_id).long()
    y = torch.tensor(labels)
    return OrderTask(x[n_val:], m[n_val:], y[n_val:], x[:n_val], m[:n_val], y[:n_val])


def encoder_digest(encoder: nn.Module) -> str:
    """A fingerprint of every tensor of an encoder: equal digests = bit-identical weights."""
    import hashlib

    h = hashlib.sha1()
    for name, v in sorted(encoder.state_dict().items()):
        h.update(name.encode())
        h.update(v.detach().contiguous().numpy().tobytes())
    return h.hexdigest()


@dataclass
class TransferRun:
    """What the lab trains: both models, plus where the encoder came from and its fingerprint before training."""

    models: dict[str, FeatureFinetuneClassifier]
    digest_before: str
    pretrained: bool
    corpus: str


def make_models(encoder: nn.Module, seed: int = 0) -> dict[str, FeatureFinetuneClassifier]:
    return {mode: FeatureFinetuneClassifier(encoder, mode, seed=seed) for mode in MODES}


def train_both(
    models: dict[str, FeatureFinetuneClassifier], task: OrderTask, cfg: TransferConfig
) -> Iterator[Progress]:
    """Train both modes side by side on the same batches (engine.core.side_by_side). Progress.loss = fine-tuning
    loss; metrics: loss_<mode> every step, and at the evaluation steps val accuracy acc_<mode> plus the mix
    weights mix_0..mix_L.

    The frozen encoder's layer outputs are computed once, up front: that is the practical appeal of the
    feature-based way (ELMo features can be cached), and it leaves each feature-mode step tiny."""
    cfg.validate()
    lr = {"features": cfg.lr_features, "finetune": cfg.lr_finetune}
    opts = {k: torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=lr[k]) for k, m in models.items()}
    g = generator(cfg.seed + 1)
    n = task.ids.shape[0]
    cache = {"train": None, "val": None}
    if "features" in models:
        feat = models["features"]
        cache = {
            "train": torch.cat(
                [feat.frozen_layers(task.ids[i : i + 64], task.mask[i : i + 64]) for i in range(0, n, 64)], dim=1
            ),  # (L+1, N, T, H)
            "val": feat.frozen_layers(task.ids_val, task.mask_val),
        }

    def batch(step: int):
        idx = torch.randint(n, (min(cfg.batch_size, n),), generator=g)
        width = int(task.mask[idx].sum(1).max())  # drop all-padding columns of this batch
        return idx, width

    def loss(mode: str, model: FeatureFinetuneClassifier, b) -> torch.Tensor:
        idx, width = b
        layers = cache["train"][:, idx, :width] if mode == "features" else None
        return model(task.ids[idx, :width], task.mask[idx, :width], task.y[idx], layers=layers)[1]

    def evaluate() -> dict[str, float]:
        out = {}
        for k, m in models.items():
            logits = m(task.ids_val, task.mask_val, layers=cache["val"] if k == "features" else None)[0]
            out[f"acc_{k}"] = float((logits.argmax(-1) == task.y_val).float().mean())
        mix = models["features"].mix.weights().detach() if "features" in models else torch.zeros(0)
        out.update({f"mix_{j}": float(v) for j, v in enumerate(mix)})
        return out

    yield from train_side_by_side(
        models,
        opts,
        batch=batch,
        loss=loss,
        evaluate=evaluate,
        steps=cfg.steps,
        eval_every=cfg.eval_every,
        clip_norm=cfg.clip_norm,
        seed=cfg.seed + 2,
        headline=lambda losses, metrics: losses.get("finetune", 0.0),
    )
