"""Multi-label fine-tuning the BERT way (bert-01): one shared extractor, one softmax head per label.

A garment description carries two labels at once — its size (S / M / L) and its season (winter / summer). BERT's
recipe for this: keep one encoder, put one classification head per label on its pooled output, and add the
heads' cross-entropies,

    L = L_size + L_season,

so the shared encoder's gradient is the sum of the per-head gradients (differentiation is linear). The
extractor here is a tiny Transformer encoder (token + position embeddings, one post-LN layer, mean pooling);
the data are descriptions we generate from small word lists, in English or Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.train import Progress

PAD = 0
HEADS = {"size": ("S", "M", "L"), "season": ("winter", "summer")}  # head -> its classes, in label-id order

WORDS = {  # cue words per class, and filler words that say nothing about either label
    "en": {
        "size": (
            ("small", "petite", "xs", "slim-fit"),
            ("medium", "regular", "standard", "mid-size"),
            ("large", "oversized", "xl", "roomy"),
        ),
        "season": (
            ("wool", "fleece", "down", "thermal", "knitted", "padded"),
            ("linen", "breathable", "lightweight", "sleeveless", "mesh", "airy"),
        ),
        "filler": (
            "blue",
            "black",
            "red",
            "grey",
            "jacket",
            "shirt",
            "coat",
            "dress",
            "with",
            "pockets",
            "and",
            "zip",
            "buttons",
            "hood",
            "classic",
            "soft",
            "for",
            "women",
            "men",
            "kids",
            "new",
            "style",
        ),
    },
    "zh": {
        "size": (("小号", "修身", "娇小", "XS码"), ("中号", "标准", "常规", "M码"), ("大号", "宽松", "加大", "XL码")),
        "season": (("羊毛", "加绒", "羽绒", "保暖", "厚款", "毛呢"), ("亚麻", "透气", "轻薄", "无袖", "冰丝", "网眼")),
        "filler": (
            "蓝色",
            "黑色",
            "红色",
            "灰色",
            "夹克",
            "衬衫",
            "外套",
            "连衣裙",
            "带",
            "口袋",
            "拉链",
            "纽扣",
            "连帽",
            "经典",
            "柔软",
            "女款",
            "男款",
            "童装",
            "新款",
            "时尚",
        ),
    },
}


class MultiLabelInputError(InputError):
    """Settings the lab cannot train with; `.code` names the i18n message."""


@dataclass(frozen=True)
class MultiLabelConfig(Checked):
    error = MultiLabelInputError
    lang: str = "en"
    n_train: int = 1000
    n_val: int = 200
    dim: int = 32
    n_heads: int = 2  # attention heads of the extractor (not label heads)
    ff: int = 64
    max_len: int = 10
    label_noise: float = 0.1  # share of training labels replaced by a random class: the losses cannot reach 0
    steps: int = 300
    batch_size: int = 32
    lr: float = 3e-3
    seed: int = 0

    def checks(self):
        yield self.lang in WORDS, "lang", "language must be en or zh"
        yield 8 <= self.n_train <= 20_000 and 8 <= self.n_val <= 5000, "size", "8-20000 training examples"
        yield (
            2 <= self.dim <= 256 and 1 <= self.n_heads <= 16 and self.dim % self.n_heads == 0,
            "dim",
            "dim must be 2-256 and a multiple of the attention heads",
        )
        yield 1 <= self.ff <= 1024 and 4 <= self.max_len <= 64, "dim", "feed-forward 1-1024, length 4-64"
        yield finite(self.label_noise) and 0.0 <= self.label_noise < 1.0, "noise", "label noise must be in [0, 1)"
        yield 1 <= self.steps <= 20_000 and 1 <= self.batch_size <= 1024, "steps", "steps 1-20000, batch 1-1024"
        yield finite(self.lr) and 0 < self.lr <= 1, "lr", "learning rate must be in (0, 1]"


@dataclass(frozen=True)
class GarmentData:
    itos: tuple[str, ...]  # id -> word; 0 is padding
    x: torch.Tensor  # (N, T) word ids, right-padded
    y: torch.Tensor  # (N, 2) label ids: size, season (training labels carry the label noise)
    x_val: torch.Tensor
    y_val: torch.Tensor  # clean labels

    def decode(self, row: torch.Tensor) -> str:
        return " ".join(self.itos[i] for i in row.tolist() if i != PAD)  # spaces show the words, zh included


def make_garments(cfg: MultiLabelConfig) -> GarmentData:
    """Descriptions = one size cue + one season cue + 2..(max_len-2) filler words, shuffled."""
    cfg.validate()
    words = WORDS[cfg.lang]
    itos = ("[PAD]",) + tuple(
        dict.fromkeys(w for group in (*words["size"], *words["season"], words["filler"]) for w in group)
    )
    stoi = {w: i for i, w in enumerate(itos)}
    g = generator(cfg.seed)

    def pick(seq) -> str:
        return seq[int(torch.randint(len(seq), (1,), generator=g))]

    def draw(n: int, noise: float) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.full((n, cfg.max_len), PAD, dtype=torch.long)
        y = torch.zeros(n, 2, dtype=torch.long)
        for i in range(n):
            size = int(torch.randint(3, (1,), generator=g))
            season = int(torch.randint(2, (1,), generator=g))
            n_fill = int(torch.randint(2, cfg.max_len - 1, (1,), generator=g))
            toks = [pick(words["size"][size]), pick(words["season"][season])]
            toks += [pick(words["filler"]) for _ in range(n_fill)]
            order = torch.randperm(len(toks), generator=g).tolist()
            x[i, : len(toks)] = torch.tensor([stoi[toks[j]] for j in order])
            y[i] = torch.tensor([size, season])
        flip = torch.rand(n, 2, generator=g) < noise  # noisy labels: a random class (possibly the right one)
        rand = torch.stack([torch.randint(3, (n,), generator=g), torch.randint(2, (n,), generator=g)], 1)
        return x, torch.where(flip, rand, y)

    x, y = draw(cfg.n_train, cfg.label_noise)
    xv, yv = draw(cfg.n_val, 0.0)
    return GarmentData(itos, x, y, xv, yv)


class SharedExtractor(nn.Module):
    """Token + position embeddings -> one Transformer encoder layer -> mean over real tokens: (B, T) -> (B, dim)."""

    def __init__(self, vocab_size: int, cfg: MultiLabelConfig):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, cfg.dim, padding_idx=PAD)
        self.pos = nn.Embedding(cfg.max_len, cfg.dim)
        self.layer = nn.TransformerEncoderLayer(cfg.dim, cfg.n_heads, cfg.ff, dropout=0.0, batch_first=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        pad = ids == PAD  # (B, T)
        h = self.tok(ids) + self.pos(torch.arange(ids.shape[1]))  # (B, T, d)
        h = self.layer(h, src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        return (h * keep).sum(1) / keep.sum(1).clamp(min=1)  # (B, d)


class MultiHeadClassifier(nn.Module):
    """A shared extractor with one linear softmax head per label; the loss is the plain sum of the heads' CEs."""

    def __init__(self, vocab_size: int, cfg: MultiLabelConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        with seeded(cfg.seed):  # nn.* init from the seed's own generator (never the global RNG)
            self.extractor = SharedExtractor(vocab_size, cfg)
            self.heads = nn.ModuleDict({name: nn.Linear(cfg.dim, len(classes)) for name, classes in HEADS.items()})

    def forward(self, ids: torch.Tensor, targets: torch.Tensor | None = None):
        """-> ({head: logits (B, n_classes)}, total loss or None); targets (B, n_heads) in HEADS order."""
        z = self.extractor(ids)  # (B, d): what every head reads
        logits = {name: head(z) for name, head in self.heads.items()}
        if targets is None:
            return logits, None
        return logits, sum(self.head_losses(logits, targets).values())

    @staticmethod
    def head_losses(logits: dict[str, torch.Tensor], targets: torch.Tensor) -> dict[str, torch.Tensor]:
        return {name: F.cross_entropy(logits[name], targets[:, j]) for j, name in enumerate(HEADS)}


def shared_gradients(
    model: MultiHeadClassifier, ids: torch.Tensor, targets: torch.Tensor
) -> tuple[list[torch.Tensor], dict[str, list[torch.Tensor]]]:
    """The extractor's gradient of the total loss, and (separately) of each head's loss alone."""
    params = list(model.extractor.parameters())
    logits, total = model(ids, targets)
    g_total = torch.autograd.grad(total, params, retain_graph=True)
    per_head = {}
    for name, loss in model.head_losses(logits, targets).items():
        per_head[name] = list(torch.autograd.grad(loss, params, retain_graph=True))
    return list(g_total), per_head


def gradient_gap(model: MultiHeadClassifier, ids: torch.Tensor, targets: torch.Tensor) -> float:
    """max |g_total - sum_h g_h| over the extractor's parameters (0 up to float rounding)."""
    g_total, per_head = shared_gradients(model, ids, targets)
    gaps = [(gt - sum(gs)).abs().max() for gt, *gs in zip(g_total, *per_head.values())]
    return float(max(gaps))


@torch.no_grad()
def evaluate(model: MultiHeadClassifier, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    model.eval()
    logits, _ = model(x, y)
    out = {f"loss_{k}": float(v) for k, v in model.head_losses(logits, y).items()}
    out.update(
        {f"acc_{name}": float((logits[name].argmax(-1) == y[:, j]).float().mean()) for j, name in enumerate(HEADS)}
    )
    return out


def train_multilabel(model: MultiHeadClassifier, data: GarmentData) -> Iterator[Progress]:
    """Adam on the summed loss. Progress.loss = training total; metrics: training loss of each head, and every
    10 steps validation losses and accuracies of each head."""
    cfg = model.cfg
    g = generator(cfg.seed + 1)
    masks = generator(cfg.seed + 2)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    n = data.x.shape[0]
    for step in range(cfg.steps):
        idx = torch.randint(n, (min(cfg.batch_size, n),), generator=g)
        model.train()
        opt.zero_grad(set_to_none=True)
        with seeded(masks):
            logits, total = model(data.x[idx], data.y[idx])
            parts = model.head_losses(logits, data.y[idx])
            total.backward()
        opt.step()
        metrics = {f"train_{k}": float(v.detach()) for k, v in parts.items()}
        if step % 10 == 0 or step + 1 == cfg.steps:
            metrics.update(evaluate(model, data.x_val, data.y_val))
        yield Progress(step + 1, cfg.steps, float(total.detach()), metrics)


def tokenize_description(text: str, itos: tuple[str, ...], lang: str) -> list[int]:
    """Known word ids of a free-text description: whitespace words (en) or longest-match over the word list
    (zh, which has no spaces). Unknown words are skipped."""
    stoi = {w.lower(): i for i, w in enumerate(itos) if i != PAD}
    text = (text or "").lower()
    if lang != "zh":
        return [stoi[w] for w in text.replace(",", " ").split() if w in stoi]
    longest = max(len(w) for w in stoi)
    ids, i = [], 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 0, -1):
            if text[i : i + n] in stoi:
                ids.append(stoi[text[i : i + n]])
                i += n
                break
        else:
            i += 1
    return ids


@torch.no_grad()
def predict(model: MultiHeadClassifier, itos: tuple[str, ...], text: str) -> dict[str, list[float]]:
    """Class probabilities of every head for one description (its first max_len known words)."""
    if not (text or "").strip():
        raise MultiLabelInputError("empty", "the description is empty")
    ids = tokenize_description(text[:2000], itos, model.cfg.lang)[: model.cfg.max_len]
    if not ids:
        raise MultiLabelInputError("unknown", "no word of the description is in the vocabulary")
    model.eval()
    logits, _ = model(torch.tensor([ids]))
    return {name: logits[name][0].softmax(-1).tolist() for name in HEADS}
