"""GloVe (Pennington, Socher & Manning, 2014) the way Stanford's glove.c does it.

1. `cooccurrence`: X_ij = sum over every time word j falls within `window` words of word i of 1/d (d = distance),
   windows never cross a sentence, stored as a scipy CSR matrix (glove.c's `cooccur`).
2. `weighting`: f(x) = (x / x_max)^alpha below x_max, 1 above (paper eq. 9; x_max = 100, alpha = 3/4).
3. `GloVe`: word vectors w, context vectors w~ and their biases b, b~; the loss is
       J = sum_{X_ij > 0} f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2          (paper eq. 8)
4. `train_glove`: AdaGrad over the shuffled non-zero X_ij, with glove.c's conventions (lr 0.05, accumulators
   start at 1, the step uses the accumulator *before* adding the new squared gradient, the reported cost is
   0.5 * mean of f * diff^2). glove.c updates one pair at a time from many threads (Hogwild); we update a
   mini-batch of pairs at once, summing the gradients of a word that appears several times in a batch.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np
import scipy.sparse as sp
import torch
from torch import nn

from engine.core.config import Checked, finite, integer
from engine.core.corpus import Vocab, build_vocab, encode
from engine.core.errors import InputError
from engine.core.seeding import generator
from engine.core.train import Progress

# Reference figures from the GloVe paper (Table 1), as quoted by the interview handbook (glove-03):
# P(k | ice), P(k | steam) and their ratio for k = solid, gas, water, fashion (a 6-billion-token corpus).
ICE_STEAM = {
    "k": ("solid", "gas", "water", "fashion"),
    "p_ice": (1.9e-4, 6.6e-5, 3.0e-3, 1.7e-5),
    "p_steam": (2.2e-5, 7.8e-4, 2.2e-3, 1.8e-5),
    "ratio": (8.9, 8.5e-2, 1.36, 0.96),
    "source": "Pennington et al., GloVe (EMNLP 2014), Table 1",
}

MAX_WINDOW = 50
MAX_DIM = 1000


class GloveInputError(InputError):
    """A corpus or setting GloVe cannot use. `code` names the reason for an i18n message; str() is English."""


@dataclass(frozen=True)
class GloveConfig(Checked):
    error = GloveInputError
    dim: int = 50
    x_max: float = 100.0
    alpha: float = 0.75
    lr: float = 0.05  # glove.c's eta
    epochs: int = 50  # the paper: 50 iterations for dim < 300, 100 otherwise
    batch_size: int = 1024
    seed: int = 0

    def checks(self):
        """Every rule is named after its setting; the page turns each broken one into a message."""
        yield integer(self.dim) and 1 <= self.dim <= MAX_DIM, "dim", f"bad setting: dim={self.dim!r}"
        yield finite(self.x_max) and self.x_max > 0, "x_max", f"bad setting: x_max={self.x_max!r}"
        yield finite(self.alpha) and 0 <= self.alpha <= 10, "alpha", f"bad setting: alpha={self.alpha!r}"
        yield finite(self.lr) and 0 < self.lr <= 10, "lr", f"bad setting: lr={self.lr!r}"
        yield integer(self.epochs) and 1 <= self.epochs <= 10_000, "epochs", f"bad setting: epochs={self.epochs!r}"
        yield integer(self.batch_size) and self.batch_size >= 1, "batch_size", f"bad setting: {self.batch_size!r}"


# ------------------------------------------------------------------ co-occurrence counts
def cooccurrence(
    token_ids: Sequence[np.ndarray],
    vocab_size: int,
    window: int,
    *,
    symmetric: bool = True,
    distance_weighting: bool = True,
) -> sp.csr_matrix:
    """X (vocab_size, vocab_size) float64 CSR: X[i, j] += 1/d when j is d <= window words before i.

    symmetric=True also counts the words after i (glove.c's default), which makes X symmetric;
    symmetric=False keeps only the left context (glove.c `-symmetric 0`). Windows stop at sentence ends.
    distance_weighting=False counts every pair as 1 (plain window counts).
    """
    if window < 1:
        raise ValueError("the window must be at least 1")
    if window > MAX_WINDOW:
        raise ValueError(f"the window must be at most {MAX_WINDOW}")
    sents = [np.asarray(s, dtype=np.int64) for s in token_ids if len(s) > 1]
    X = sp.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    if not sents:
        return X
    ids = np.concatenate(sents)  # (N,)
    sent = np.repeat(np.arange(len(sents)), [len(s) for s in sents])  # (N,) sentence of each token
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError("token id outside the vocabulary")
    # One vectorised pass per distance d: pairs (ids[t], ids[t - d]) inside one sentence, weight 1/d.
    for d in range(1, min(window, len(ids) - 1) + 1):
        same = sent[d:] == sent[:-d]
        centre, left = ids[d:][same], ids[:-d][same]
        if centre.size == 0:
            break  # no sentence is longer than d
        w = np.full(centre.size, 1.0 / d if distance_weighting else 1.0)
        X = X + sp.csr_matrix((w, (centre, left)), shape=(vocab_size, vocab_size))
    if symmetric:
        X = X + X.T.tocsr()
    X.sum_duplicates()
    return X.tocsr()


def add_sentences(
    X: sp.csr_matrix,
    token_ids: Sequence[np.ndarray],
    vocab_size: int,
    window: int,
    *,
    symmetric: bool = True,
    distance_weighting: bool = True,
) -> sp.csr_matrix:
    """X for old + new sentences: counts are additive, so only the new sentences are counted (the vocabulary
    may have grown: new ids get new rows and columns)."""
    if vocab_size < X.shape[0]:
        raise ValueError("the vocabulary cannot shrink")
    old = sp.csr_matrix((X.data, X.indices, X.indptr), shape=(X.shape[0], X.shape[0]))
    old.resize((vocab_size, vocab_size))
    return (
        old + cooccurrence(token_ids, vocab_size, window, symmetric=symmetric, distance_weighting=distance_weighting)
    ).tocsr()


def pair_by_window(
    token_ids: Sequence[np.ndarray], i: int, j: int, max_window: int, *, distance_weighting: bool = True
) -> np.ndarray:
    """X_ij (symmetric counting) for every window 1..max_window at once, (max_window,): only the sentences that
    hold both words are read, so the page can show how X grows with the window on a large corpus."""
    by_distance = np.zeros(max_window + 1)
    for s in token_ids:
        pi, pj = np.flatnonzero(s == i), np.flatnonzero(s == j)
        if pi.size and pj.size:
            d = np.abs(pi[:, None] - pj[None, :]).ravel()
            d = d[(d >= 1) & (d <= max_window)]
            np.add.at(by_distance, d, 1.0)
    d = np.arange(max_window + 1)
    w = np.divide(1.0, d, out=np.zeros(max_window + 1), where=d > 0) if distance_weighting else (d > 0) * 1.0
    return np.cumsum(by_distance * w)[1:]


def weighting(x, x_max: float = 100.0, alpha: float = 0.75):
    """f(x) = (x / x_max)^alpha if x < x_max else 1 (f(0) = 0). Works on numbers, numpy arrays and tensors."""
    if isinstance(x, torch.Tensor):
        return torch.where(x < x_max, (x / x_max).clamp(min=0) ** alpha, torch.ones_like(x))
    arr = np.asarray(x, dtype=np.float64)
    out = np.where(arr < x_max, np.clip(arr / x_max, 0, None) ** alpha, 1.0)
    return float(out) if out.ndim == 0 else out


def probabilities(X: sp.csr_matrix, i: int) -> np.ndarray:
    """P(k | i) = X_ik / X_i with X_i = sum_k X_ik (dense row; zeros if word i never co-occurs)."""
    row = np.asarray(X.getrow(i).todense()).ravel()
    total = row.sum()
    return row / total if total > 0 else row


@dataclass(frozen=True)
class Pairs:
    """The non-zero entries of X as parallel arrays, row by row: the training data of GloVe."""

    rows: np.ndarray  # (nnz,) int32: word i
    cols: np.ndarray  # (nnz,) int32: context word j
    vals: np.ndarray  # (nnz,) float64: X_ij > 0

    @classmethod
    def from_matrix(cls, X: sp.spmatrix) -> "Pairs":
        """From a CSR matrix without explicit zeros, cols and vals are X's own arrays (no copy: 4 bytes per pair
        for the rows instead of 24 per pair; a 1M-token corpus has ~4M pairs and a classroom caches several)."""
        X = X.tocsr() if sp.issparse(X) else sp.csr_matrix(X)
        if not X.has_canonical_format:
            X = X.copy()
            X.sum_duplicates()
        if X.nnz and X.data.min() <= 0:
            X = X.copy()
            X.data[X.data < 0] = 0
            X.eliminate_zeros()
        counts = np.diff(X.indptr)
        rows = np.repeat(np.arange(X.shape[0], dtype=np.int32), counts)
        return cls(rows, X.indices.astype(np.int32, copy=False), X.data.astype(np.float64, copy=False))

    def __len__(self) -> int:
        return int(self.vals.size)


# ------------------------------------------------------------------ the model
class GloVe(nn.Module):
    """w, w~ (V, d) and b, b~ (V,), initialised like glove.c: uniform in [-0.5, 0.5) / d."""

    def __init__(self, vocab_size: int, dim: int, seed: int = 0):
        super().__init__()
        g = generator(seed)

        def init(*shape: int) -> nn.Parameter:
            return nn.Parameter((torch.rand(*shape, generator=g, dtype=torch.float64) - 0.5) / dim)

        self.w, self.w_ctx = init(vocab_size, dim), init(vocab_size, dim)
        self.b, self.b_ctx = init(vocab_size), init(vocab_size)
        # AdaGrad accumulators, one per parameter entry, start at 1 as in glove.c
        self.gradsq = {name: torch.ones_like(p) for name, p in self.named_parameters()}

    def forward(
        self,
        rows: torch.Tensor,
        cols: torch.Tensor,
        x: torch.Tensor | None = None,
        x_max: float = 100.0,
        alpha: float = 0.75,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """logits = w_i . w~_j + b_i + b~_j (B,); with counts x: loss = sum f(x) (logits - log x)^2."""
        logits = (self.w[rows] * self.w_ctx[cols]).sum(-1) + self.b[rows] + self.b_ctx[cols]  # (B,)
        if x is None:
            return logits, None
        return logits, (weighting(x, x_max, alpha) * (logits - torch.log(x)) ** 2).sum()

    @torch.no_grad()
    def vectors(self, which: str = "sum") -> np.ndarray:
        """The word vectors to use: "w", "ctx" (w~) or "sum" (w + w~, the paper's choice)."""
        if which == "w":
            out = self.w
        elif which == "ctx":
            out = self.w_ctx
        elif which == "sum":
            out = self.w + self.w_ctx
        else:
            raise ValueError(f"unknown vector kind {which!r}")
        return out.detach().numpy().astype(np.float32)


def full_loss(model: GloVe, pairs: Pairs, x_max: float = 100.0, alpha: float = 0.75) -> float:
    """J over all non-zero pairs (the objective, without glove.c's 1/2)."""
    with torch.no_grad():
        _, loss = model(
            torch.from_numpy(pairs.rows), torch.from_numpy(pairs.cols), torch.from_numpy(pairs.vals), x_max, alpha
        )
    return float(loss)


def gradients(
    model: GloVe, rows: torch.Tensor, cols: torch.Tensor, x: torch.Tensor, x_max: float, alpha: float
) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], torch.Tensor]:
    """dJ/dparam of J = sum f(x)(logit - log x)^2 over one batch, by hand, only for the rows the batch touches:
    {name: (row ids (U,), gradient rows (U, ...))}; also returns the per-pair costs f * diff^2.

    With diff = w_i.w~_j + b_i + b~_j - log x:  dJ/dw_i = 2 f diff w~_j,  dJ/dw~_j = 2 f diff w_i,
    dJ/db_i = dJ/db~_j = 2 f diff; gradients of a word seen several times in the batch add up.
    """
    w, c = model.w.detach(), model.w_ctx.detach()
    wi, cj = w[rows], c[cols]  # (B, d)
    diff = (wi * cj).sum(-1) + model.b.detach()[rows] + model.b_ctx.detach()[cols] - torch.log(x)  # (B,)
    fdiff = weighting(x, x_max, alpha) * diff  # (B,)
    g = 2.0 * fdiff
    # Sparse update: touching only the rows in the batch keeps a step O(B d) instead of O(V d).
    ru, rinv = torch.unique(rows, return_inverse=True)
    cu, cinv = torch.unique(cols, return_inverse=True)
    grads = {
        "w": (ru, wi.new_zeros(ru.numel(), w.shape[1]).index_add_(0, rinv, g[:, None] * cj)),
        "w_ctx": (cu, cj.new_zeros(cu.numel(), c.shape[1]).index_add_(0, cinv, g[:, None] * wi)),
        "b": (ru, g.new_zeros(ru.numel()).index_add_(0, rinv, g)),
        "b_ctx": (cu, g.new_zeros(cu.numel()).index_add_(0, cinv, g)),
    }
    return grads, fdiff * diff


@torch.no_grad()
def adagrad_step(model: GloVe, rows: torch.Tensor, cols: torch.Tensor, x: torch.Tensor, cfg: GloveConfig) -> float:
    """One glove.c AdaGrad update on a batch; returns the batch's summed cost 0.5 * f * diff^2.

    glove.c: update = lr * g / sqrt(G), then G += (lr * g)^2, with G starting at 1 and g = f * diff * (...)
    (its cost has the 1/2, so g here is half of dJ/dparam).
    """
    grads, cost = gradients(model, rows, cols, x, cfg.x_max, cfg.alpha)
    for name, p in model.named_parameters():
        idx, grad = grads[name]
        step = cfg.lr * 0.5 * grad  # lr * d(0.5 f diff^2)/dp, rows idx only
        G = model.gradsq[name]
        p.index_add_(0, idx, step / G.index_select(0, idx).sqrt_(), alpha=-1.0)
        G.index_add_(0, idx, step * step)
    return 0.5 * float(cost.sum())


def train_glove(model: GloVe, pairs: Pairs, cfg: GloveConfig) -> Iterator[Progress]:
    """AdaGrad over shuffled non-zero X_ij, `cfg.epochs` passes. Yields one Progress per batch whose loss is
    the running mean cost of the current epoch (at the epoch's last batch: glove.c's printed cost)."""
    cfg.validate()
    if len(pairs) == 0:
        raise ValueError("no co-occurring word pairs: the corpus is too small for this window")
    rng = np.random.default_rng(cfg.seed)
    rows, cols, vals = (torch.from_numpy(a) for a in (pairs.rows, pairs.cols, pairs.vals))
    n = len(pairs)
    per_epoch = math.ceil(n / cfg.batch_size)
    total = cfg.epochs * per_epoch
    step = 0
    for epoch in range(cfg.epochs):
        order = torch.from_numpy(rng.permutation(n))
        cost = 0.0
        for b in range(per_epoch):
            idx = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            cost += adagrad_step(model, rows[idx], cols[idx], vals[idx], cfg)
            step += 1
            seen = min((b + 1) * cfg.batch_size, n)
            mean = cost / seen
            if not math.isfinite(mean):
                raise FloatingPointError("the loss diverged (inf/NaN): lower the learning rate")
            metrics = {"epoch": epoch + (b + 1) / per_epoch}
            if b == per_epoch - 1:
                metrics["epoch_cost"] = mean
            yield Progress(step, total, mean, metrics)


def fit_glove(
    token_ids: Sequence[np.ndarray],
    vocab_size: int,
    cfg: GloveConfig,
    window: int = 10,
    max_seconds: float | None = None,
) -> tuple[GloVe, sp.csr_matrix]:
    """Count, then train (used by benchmarks and the comparison): returns the model and X."""
    from engine.core.train import run

    X = cooccurrence(token_ids, vocab_size, window)
    model = GloVe(vocab_size, cfg.dim, cfg.seed)
    run(train_glove(model, Pairs.from_matrix(X), cfg), max_seconds=max_seconds)
    return model, X


# ------------------------------------------------------------------ what the page asks of a corpus
@dataclass(frozen=True)
class Counts:
    """A corpus turned into GloVe's input: the vocabulary, the encoded sentences and X."""

    vocab: Vocab
    ids: list[np.ndarray]
    X: sp.csr_matrix
    window: int
    distance_weighting: bool
    seconds: float  # time spent counting

    @functools.cached_property
    def pairs(self) -> Pairs:
        """Built once and shared read-only by every training run on these counts (a classroom trains on the same
        cached Counts: one copy of the pairs, not one per student)."""
        return Pairs.from_matrix(self.X)


def counts_nbytes(counts: Counts) -> int:
    """Bytes a Counts holds in arrays: X, the encoded sentences, and the training pairs' rows (counted up front:
    they are built by the first training on these counts)."""
    X = counts.X
    n = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes + sum(a.nbytes for a in counts.ids)
    return n + 4 * X.nnz  # the pairs' int32 rows (cols and vals are X's own arrays)


def count_corpus(
    sentences: Sequence[Sequence[str]],
    window: int,
    *,
    min_count: int = 1,
    max_vocab: int | None = 20_000,
    distance_weighting: bool = True,
) -> Counts:
    """Vocabulary + X in one call; GloveInputError (code empty / window / min_count / too_few_words / no_pairs)."""
    import time

    if not any(len(s) for s in sentences):
        raise GloveInputError("empty", "the corpus has no words")
    if not isinstance(window, (int, np.integer)) or not 1 <= window <= MAX_WINDOW:
        raise GloveInputError("window", f"the window must be between 1 and {MAX_WINDOW}")
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise GloveInputError("min_count", "min_count must be at least 1")
    vocab = build_vocab(sentences, min_count=min_count, max_size=max_vocab)
    if len(vocab) < 2:
        raise GloveInputError("too_few_words", f"only {len(vocab)} distinct word(s) reach min_count")
    ids = encode(sentences, vocab)
    t0 = time.perf_counter()
    X = cooccurrence(ids, len(vocab), window, distance_weighting=distance_weighting)
    if X.nnz == 0:
        raise GloveInputError("no_pairs", "no two known words ever share a window")
    return Counts(vocab, ids, X, window, distance_weighting, time.perf_counter() - t0)


def ratio_rows(X: sp.csr_matrix, vocab: Vocab, i: str, j: str, probes: Sequence[str]) -> list[dict]:
    """glove-03's table from a corpus: for each probe k, P(k|i), P(k|j) and P(k|i)/P(k|j) (NaN if undefined)."""
    p_i, p_j = probabilities(X, vocab.stoi[i]), probabilities(X, vocab.stoi[j])
    rows = []
    for k in probes:
        a, b = float(p_i[vocab.stoi[k]]), float(p_j[vocab.stoi[k]])
        rows.append({"k": k, "p_i": a, "p_j": b, "ratio": a / b if b > 0 else float("nan")})
    return rows


def model_ratios(model: GloVe, X: sp.csr_matrix, vocab: Vocab, i: str, j: str, probes: Sequence[str]) -> list[float]:
    """What a trained model says P(k|i)/P(k|j) is. From w_i.w~_k + b_i + b~_k = log X_ik (eq. 10-11):
    log(X_ik / X_jk) = (w_i - w_j).w~_k + b_i - b_j (b~_k cancels), and P(k|i)/P(k|j) = X_ik/X_jk * X_j/X_i."""
    xi, xj = (float(X.getrow(vocab.stoi[w]).sum()) for w in (i, j))
    with torch.no_grad():
        wi, wj = model.w[vocab.stoi[i]], model.w[vocab.stoi[j]]
        db = float(model.b[vocab.stoi[i]] - model.b[vocab.stoi[j]])
        return [math.exp(float((wi - wj) @ model.w_ctx[vocab.stoi[k]]) + db) * xj / xi for k in probes]


def self_cosines(model: GloVe, ids: Sequence[int]) -> np.ndarray:
    """cos(w_i, w~_i) per word: how alike the two vectors of one word end up (X symmetric -> same role)."""
    with torch.no_grad():
        w, c = model.w[list(ids)], model.w_ctx[list(ids)]
        return (torch.nn.functional.cosine_similarity(w, c, dim=-1)).numpy()


def extend_counts(counts: Counts, new_ids: Sequence[np.ndarray]) -> dict:
    """w2v-07's "new text" demo: X updated with only the new sentences vs X recounted from scratch.
    Returns {"X": updated X, "changed": cells that changed, "inc_s"/"full_s": seconds, "same": bool}."""
    import time

    V, win, dw = len(counts.vocab), counts.window, counts.distance_weighting
    t0 = time.perf_counter()
    X_inc = add_sentences(counts.X, new_ids, V, win, distance_weighting=dw)
    t1 = time.perf_counter()
    X_all = cooccurrence(list(counts.ids) + list(new_ids), V, win, distance_weighting=dw)
    t2 = time.perf_counter()
    same = X_all.nnz == 0 or float(abs(X_inc - X_all).max()) < 1e-9
    return {"X": X_inc, "changed": int((X_inc != counts.X).nnz), "inc_s": t1 - t0, "full_s": t2 - t1, "same": same}


@dataclass
class Trained:
    """What the GloVe page's training jobs hold: the model and what it was trained on (an importable class, so a
    training process can send it back to the server)."""

    model: object
    counts: Counts | None = None
    floor: float = 0.0  # autoencoder: the SVD error it is compared with
