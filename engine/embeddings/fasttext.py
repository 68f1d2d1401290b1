"""fastText's subwords: a word is its own vector plus the vectors of its character n-grams.

The word is wrapped in '<' and '>' so prefixes and suffixes differ from inner n-grams ('<wh' vs 'wh'); every
n-gram of length min_n..max_n is hashed (FNV-1a, 32 bit) into one of `bucket` rows. A word never seen in
training still has n-grams, so its vector is the mean of those n-gram vectors (gensim's convention).
"""

from __future__ import annotations

import numpy as np


def compute_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """The character n-grams of '<word>', shortest first, as gensim's compute_ngrams ('where' → 14 n-grams)."""
    extended = f"<{word}>"
    out = []
    for n in range(min_n, min(len(extended), max_n) + 1):
        out.extend(extended[i : i + n] for i in range(len(extended) - n + 1))
    return out


def ft_hash(text: str) -> int:
    """fastText's FNV-1a over the UTF-8 bytes, each byte sign-extended first (as fastText and gensim do)."""
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= (b - 256 if b > 127 else b) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def ngram_buckets(word: str, min_n: int = 3, max_n: int = 6, bucket: int = 2_000_000) -> np.ndarray:
    """Row indices of the word's n-grams in the (bucket, d) n-gram matrix."""
    return np.array([ft_hash(g) % bucket for g in compute_ngrams(word, min_n, max_n)], dtype=np.int64)


def oov_vector(word: str, ngram_vectors: np.ndarray, min_n: int = 3, max_n: int = 6) -> np.ndarray:
    """Vector of an unseen word: the mean of its n-gram vectors (zeros if it has none)."""
    rows = ngram_buckets(word, min_n, max_n, ngram_vectors.shape[0])
    return ngram_vectors[rows].mean(0) if rows.size else np.zeros(ngram_vectors.shape[1], ngram_vectors.dtype)


# ---------------------------------------------------------------- a small fastText (skip-gram + subwords)
import torch  # noqa: E402  (kept below the pure-Python helpers above, which need no torch)
import torch.nn as nn  # noqa: E402

from engine.core.corpus import Vocab  # noqa: E402
from engine.embeddings.word2vec import Word2Vec, Word2VecConfig  # noqa: E402


class FastText(Word2Vec):
    """word2vec skip-gram whose input vector is the mean of the word's own vector and its n-gram vectors.

    Trains with engine.embeddings.word2vec.train_word2vec (same pairs, same output layer); only `hidden` changes.
    """

    def __init__(self, cfg: Word2VecConfig, vocab: Vocab, min_n: int = 3, max_n: int = 6, bucket: int = 20_000):
        if not cfg.sg:
            raise ValueError("this small fastText is skip-gram only")
        super().__init__(cfg, vocab)
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket
        rows = [ngram_buckets(w, min_n, max_n, bucket) for w in vocab.itos]
        G = max(1, max(r.size for r in rows))
        ids = np.zeros((len(rows), G), dtype=np.int64)
        mask = np.zeros((len(rows), G), dtype=np.float32)
        for i, r in enumerate(rows):
            ids[i, : r.size], mask[i, : r.size] = r, 1.0
        self.register_buffer("ngram_ids", torch.from_numpy(ids))  # (V, G)
        self.register_buffer("ngram_mask", torch.from_numpy(mask))  # (V, G)
        g = generator(cfg.seed + 1)
        with seeded(cfg.seed + 1):  # nn.Embedding's own init, never the global RNG (overwritten just below)
            self.emb_ngram = nn.Embedding(bucket, cfg.dim, sparse=True)
        with torch.no_grad():
            self.emb_ngram.weight.copy_((torch.rand(bucket, cfg.dim, generator=g) - 0.5) / cfg.dim)

    def hidden(self, inputs: torch.Tensor) -> torch.Tensor:
        mask = self.ngram_mask[inputs]  # (B, G)
        grams = (self.emb_ngram(self.ngram_ids[inputs]) * mask[..., None]).sum(1)  # (B, d)
        return (self.emb_in(inputs) + grams) / (1.0 + mask.sum(1, keepdim=True))

    @property
    def vectors(self) -> np.ndarray:
        """In-vocabulary word vectors: word + n-grams, as used in training."""
        with torch.no_grad():
            return self.hidden(torch.arange(len(self.vocab))).numpy().astype(np.float32)

    def word_vector(self, word: str) -> np.ndarray:
        """Known words: their training vector; unknown words: the mean of their n-gram vectors (zeros if none)."""
        if word in self.vocab.stoi:
            return self.vectors[self.vocab.stoi[word]]
        return oov_vector(word, self.emb_ngram.weight.detach().numpy(), self.min_n, self.max_n)


# ---------------------------------------------------------------- supervised fastText (text classification)
from dataclasses import dataclass  # noqa: E402
from typing import Iterator  # noqa: E402

import torch.nn.functional as F  # noqa: E402

from engine.core.config import Checked, finite  # noqa: E402
from engine.core.errors import InputError  # noqa: E402
from engine.core.seeding import generator, seeded  # noqa: E402
from engine.core.train import Progress  # noqa: E402
from engine.embeddings.huffman import huffman  # noqa: E402


def label_by_keywords(sentences, groups: list[list[str]]) -> tuple[list[list[str]], np.ndarray]:
    """A toy labelled set: a sentence's label is the group of its (first) keyword, which is then removed, so the
    classifier has to learn from the other words. Sentences without a keyword are dropped."""
    where = {w: g for g, words in enumerate(groups) for w in words}
    docs, labels = [], []
    for s in sentences:
        hit = next((where[w] for w in s if w in where), None)
        rest = [w for w in s if w not in where]
        if hit is not None and rest:
            docs.append(rest)
            labels.append(hit)
    return docs, np.array(labels, dtype=np.int64)


class FastTextClassifier(nn.Module):
    """Supervised fastText: the mean of the text's word vectors (plus hashed word-bigram vectors) goes through
    hierarchical softmax over the labels, with the Huffman tree built from label frequencies."""

    def __init__(
        self, vocab: Vocab, label_counts, dim: int = 16, bigrams: bool = False, bucket: int = 4099, seed: int = 0
    ):
        super().__init__()
        counts = np.asarray(label_counts, dtype=np.int64)
        self.order = np.argsort(-counts, kind="stable")  # tree leaf i = label order[i] (most frequent first)
        self.tree = huffman(np.maximum(counts[self.order], 1))
        codes, points, mask = self.tree.padded()
        leaf_of = np.empty_like(self.order)
        leaf_of[self.order] = np.arange(len(counts))
        self.register_buffer("codes", torch.from_numpy(codes[leaf_of]))  # (n_labels, L), indexed by label
        self.register_buffer("points", torch.from_numpy(points[leaf_of]))
        self.register_buffer("mask", torch.from_numpy(mask[leaf_of]))
        self.vocab, self.bigrams, self.bucket = vocab, bigrams, bucket
        g = generator(seed)
        with seeded(seed):  # the layers' own init, never the global RNG (overwritten just below)
            self.emb = nn.EmbeddingBag(len(vocab) + bucket, dim, mode="mean")
            self.nodes = nn.Embedding(max(len(counts) - 1, 1), dim)
        with torch.no_grad():
            self.emb.weight.copy_((torch.rand(len(vocab) + bucket, dim, generator=g) - 0.5) / dim)
            self.nodes.weight.zero_()

    def features(self, words: list[str]) -> list[int]:
        ids = [self.vocab.stoi[w] for w in words if w in self.vocab.stoi]
        if self.bigrams:
            ids += [len(self.vocab) + ft_hash(f"{a} {b}") % self.bucket for a, b in zip(words, words[1:])]
        return ids or [0]

    def batch(self, docs) -> tuple[torch.Tensor, torch.Tensor]:
        feats = [self.features(d) for d in docs]
        offsets = torch.tensor([0] + [len(f) for f in feats[:-1]]).cumsum(0)
        return torch.tensor([i for f in feats for i in f]), offsets

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor, labels: torch.Tensor | None = None):
        """logits (B, n_labels) = log P(label | text) from the label tree; loss = mean −log P(true label)."""
        h = self.emb(ids, offsets)  # (B, d)
        z = h @ self.nodes.weight.T  # (B, n_labels − 1): one score per inner node
        zp = z[:, self.points]  # (B, n_labels, L)
        sign = 1.0 - 2.0 * self.codes  # bit 0 → σ(z), bit 1 → σ(−z)
        logits = (F.logsigmoid(sign * zp) * self.mask).sum(-1)  # (B, n_labels)
        loss = None if labels is None else -logits.gather(1, labels[:, None]).mean()
        return logits, loss


class FastTextInputError(InputError):
    """Settings the fastText classifier cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class ClassifierConfig(Checked):
    """Supervised fastText training (fastText's defaults for a small set: 5 epochs, lr 0.5)."""

    error = FastTextInputError
    epochs: int = 5
    lr: float = 0.5
    batch_size: int = 32
    seed: int = 0

    def checks(self):
        yield 1 <= self.epochs <= 1000, "epochs", "epochs must be between 1 and 1000"
        yield finite(self.lr) and 0 < self.lr <= 10, "lr", "the learning rate must be in (0, 10]"
        yield 1 <= self.batch_size <= 100_000, "batch", "the batch must hold at least one document"


def train_classifier(
    model: FastTextClassifier, docs, labels: np.ndarray, cfg: ClassifierConfig = ClassifierConfig()
) -> Iterator[Progress]:
    """SGD on mini-batches with a linearly decaying rate; Progress.metrics["acc"] is the training accuracy so far."""
    cfg.validate()
    rng = np.random.default_rng(cfg.seed)
    y_all = torch.from_numpy(labels)
    n = len(docs)
    total = cfg.epochs * max(1, -(-n // cfg.batch_size))
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    step = 0
    for _ in range(cfg.epochs):
        order = rng.permutation(n)
        for s in range(0, n, cfg.batch_size):
            idx = order[s : s + cfg.batch_size]
            ids, offsets = model.batch([docs[i] for i in idx])
            for group in opt.param_groups:
                group["lr"] = cfg.lr * max(1 - step / total, 1e-4)
            opt.zero_grad(set_to_none=True)
            logits, loss = model(ids, offsets, y_all[idx])
            (loss * len(idx)).backward()  # as fastText: every example takes its own SGD step of size lr
            opt.step()
            step += 1
            acc = float((logits.argmax(1) == y_all[idx]).float().mean())
            yield Progress(step, total, loss.item(), {"acc": acc})


def accuracy(model: FastTextClassifier, docs, labels: np.ndarray) -> float:
    with torch.no_grad():
        logits, _ = model(*model.batch(docs))
    return float((logits.argmax(1).numpy() == labels).mean())
