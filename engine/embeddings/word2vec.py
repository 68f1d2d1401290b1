"""word2vec in PyTorch: CBOW and skip-gram, each with hierarchical softmax (HS) or negative sampling (NS).

This is the readable reference (autograd does the gradients; the tests check them against the closed forms)
and what the page trains live. It follows word2vec.c where it matters for results:
- sub-sampling keeps a word with probability (sqrt(f / (t·N)) + 1) · t·N / f (f = its count, N = all tokens);
- each centre word draws a window size b uniformly in 1..window ("shrink window");
- skip-gram pairs use the context word's input vector to predict the centre word, as word2vec.c does;
- CBOW averages (or sums, cbow_mean=False) the context input vectors: no hidden layer, no concatenation;
- HS walks the Huffman path of the target (engine/embeddings/huffman.py), NS draws k negatives from unigram^0.75
  (engine/embeddings/negative_sampling.py), skipping a negative equal to the target;
- plain SGD with a linearly decaying learning rate. We update on a batch of pairs at a time (like many hogwild
  threads at once), which is what makes PyTorch fast enough here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from engine.core.config import Checked, finite, integer
from engine.core.corpus import Vocab, build_vocab, encode
from engine.core.errors import InputError
from engine.core.seeding import generator, seeded
from engine.core.train import Progress, linear_decay, run
from engine.embeddings.huffman import huffman
from engine.embeddings.negative_sampling import NegativeSampler

LIMITS = {  # (low, high) for the checks in Word2VecConfig.problems(); the page uses them for its widgets too
    "dim": (1, 1000),
    "window": (1, 20),
    "negative": (1, 50),
    "epochs": (1, 200),
    "min_count": (1, 10_000),
    "batch_size": (1, 65_536),
}
MAX_LR = 1.0


class Word2VecInputError(InputError):
    """Input word2vec cannot train on. `code` names the reason for an i18n message; str() is English."""


@dataclass(frozen=True)
class Word2VecConfig(Checked):
    error = Word2VecInputError
    sg: bool = True  # skip-gram (True) or CBOW (False)
    hs: bool = False  # hierarchical softmax (True) or negative sampling (False)
    dim: int = 50
    window: int = 5
    negative: int = 5  # k, used when hs is False
    epochs: int = 5
    min_count: int = 1
    sample: float = 1e-3  # sub-sampling threshold t (0 = off)
    lr: float = 0.025  # starting learning rate, decays linearly to lr·1e-4
    seed: int = 0
    batch_size: int = 512  # pairs (skip-gram) or centre words (CBOW) per SGD step
    cbow_mean: bool = True  # CBOW hidden = mean of the context vectors (word2vec.c, gensim); False: their sum
    ns_exponent: float = 0.75
    table_size: int = 1_000_000  # cells of the negative-sampling table (word2vec.c: 1e8)
    max_vocab: int | None = 50_000

    def checks(self):
        for name, (lo, hi) in LIMITS.items():
            if name == "negative" and self.hs:
                continue
            v = getattr(self, name)
            yield integer(v) and lo <= v <= hi, name, f"bad setting: {name}={v!r} (allowed {lo}-{hi})"
        yield finite(self.lr) and 0 < self.lr <= MAX_LR, "lr", f"bad setting: lr={self.lr!r} (allowed (0, {MAX_LR}])"
        yield finite(self.sample) and 0 <= self.sample <= 1, "sample", f"bad setting: sample={self.sample!r}"

    check = Checked.validate  # the name pages call


# ---------------------------------------------------------------- data
@dataclass(frozen=True)
class Word2VecData:
    vocab: Vocab
    sentences: list[np.ndarray] = field(repr=False)  # word ids per sentence (words under min_count dropped)

    @property
    def n_tokens(self) -> int:
        return int(sum(s.size for s in self.sentences))


def prepare(sentences: Sequence[Sequence[str]], cfg: Word2VecConfig) -> Word2VecData:
    """Vocabulary (min_count, max_vocab) and encoded sentences; Word2VecInputError if nothing can be trained."""
    if not any(len(s) for s in sentences):
        raise Word2VecInputError("empty", "the corpus has no words")
    vocab = build_vocab(sentences, min_count=cfg.min_count, max_size=cfg.max_vocab)
    if len(vocab) < 2:
        raise Word2VecInputError("too_few_words", f"only {len(vocab)} distinct word(s) reach min_count")
    data = Word2VecData(vocab, [s for s in encode(sentences, vocab) if s.size >= 2])
    if not data.sentences:
        raise Word2VecInputError("no_pairs", "no sentence has two words, so there are no (word, context) pairs")
    return data


def keep_probability(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec.c's sub-sampling: P(keep w) = (sqrt(f/(t·N)) + 1) · t·N / f, capped at 1 (t = 0: keep all)."""
    f = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(f)
    tn = sample * f.sum()
    return np.minimum((np.sqrt(f / tn) + 1.0) * tn / f, 1.0)


def subsample(data: Word2VecData, sample: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's tokens after sub-sampling: (ids, sentence index of each id), both (n,)."""
    ids = np.concatenate(data.sentences)
    sent = np.repeat(np.arange(len(data.sentences)), [s.size for s in data.sentences])
    if sample > 0:
        keep = rng.random(ids.size) < keep_probability(data.vocab.counts, sample)[ids]
        ids, sent = ids[keep], sent[keep]
    return ids, sent


def _reduced_windows(n: int, window: int, rng: np.random.Generator) -> np.ndarray:
    return window - rng.integers(0, window, size=n)  # word2vec.c: b = rand % window, span window - b ∈ 1..window


def skipgram_pairs(
    ids: np.ndarray, sent: np.ndarray, window: int, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, targets): every context word (input) with its centre word (target), same sentence only.

    With rng, each centre uses a random window 1..window; without, the full window (for brute-force checks).
    """
    n = ids.size
    span = _reduced_windows(n, window, rng) if rng is not None else np.full(n, window)
    inputs, targets = [], []
    for o in range(1, window + 1):
        i = np.arange(n - o)
        j = i + o
        same = sent[i] == sent[j]
        m = same & (span[i] >= o)  # centre i, context i + o
        inputs.append(ids[j[m]]), targets.append(ids[i[m]])
        m = same & (span[j] >= o)  # centre i + o, context i
        inputs.append(ids[i[m]]), targets.append(ids[j[m]])
    return np.concatenate(inputs), np.concatenate(targets)


def cbow_examples(
    ids: np.ndarray, sent: np.ndarray, window: int, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(context, targets): context (n, 2·window) word ids padded with -1, one row per centre word that has one."""
    n = ids.size
    span = _reduced_windows(n, window, rng) if rng is not None else np.full(n, window)
    ctx = np.full((n, 2 * window), -1, dtype=np.int64)
    col = 0
    for o in [-o for o in range(window, 0, -1)] + list(range(1, window + 1)):
        i = np.arange(max(0, -o), min(n, n - o))
        j = i + o
        m = (sent[i] == sent[j]) & (span[i] >= abs(o))
        ctx[i[m], col] = ids[j[m]]
        col += 1
    has = (ctx >= 0).any(1)
    return ctx[has], ids[has]


def epoch_examples(data: Word2VecData, cfg: Word2VecConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's shuffled training examples: skip-gram (inputs (n,), targets) or CBOW (context (n, 2w), targets)."""
    ids, sent = subsample(data, cfg.sample, rng)
    make = skipgram_pairs if cfg.sg else cbow_examples
    inputs, targets = make(ids, sent, cfg.window, rng)
    order = rng.permutation(targets.size)
    return inputs[order], targets[order]


# ---------------------------------------------------------------- model
class Word2Vec(nn.Module):
    """Input vectors (syn0, the word vectors we keep) and output vectors (syn1: Huffman nodes, or syn1neg: words)."""

    def __init__(self, cfg: Word2VecConfig, vocab: Vocab):
        super().__init__()
        cfg.validate()
        V, d = len(vocab), cfg.dim
        if V < 2:
            raise Word2VecInputError("too_few_words", "word2vec needs at least two distinct words")
        self.cfg, self.vocab = cfg, vocab
        g = generator(cfg.seed)
        with seeded(cfg.seed):  # nn.Embedding's own init, never the global RNG (overwritten just below)
            self.emb_in = nn.Embedding(V, d, sparse=True)
            self.emb_out = nn.Embedding(V - 1 if cfg.hs else V, d, sparse=True)
        with torch.no_grad():  # word2vec.c: syn0 uniform in ±0.5/d, output layer zero
            self.emb_in.weight.copy_((torch.rand(V, d, generator=g) - 0.5) / d)
            self.emb_out.weight.zero_()
        if cfg.hs:
            self.tree = huffman(vocab.counts)
            codes, points, mask = self.tree.padded()
            self.register_buffer("codes", torch.from_numpy(codes))  # (V, L)
            self.register_buffer("points", torch.from_numpy(points))  # (V, L)
            self.register_buffer("path_mask", torch.from_numpy(mask))  # (V, L)

    def hidden(self, inputs: torch.Tensor) -> torch.Tensor:
        """Skip-gram: inputs (B,) → their vectors (B, d). CBOW: inputs (B, C) padded with -1 → mean/sum (B, d)."""
        if inputs.dim() == 1:
            return self.emb_in(inputs)
        mask = (inputs >= 0).float()  # (B, C)
        h = (self.emb_in(inputs.clamp(min=0)) * mask[..., None]).sum(1)  # (B, d): a sum, no concatenation
        return h / mask.sum(1, keepdim=True).clamp(min=1) if self.cfg.cbow_mean else h

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor, negatives: torch.Tensor | None = None):
        """Returns (logits, loss). HS: logits (B, L) per Huffman node; NS: (B, 1+k), column 0 the target.

        loss is the mean over the batch of −log P(target | inputs) (HS) or the NS objective
        −log σ(u_oᵀh) − Σ_k log σ(−u_kᵀh) (negatives equal to the target are skipped, as in word2vec.c).
        """
        h = self.hidden(inputs)  # (B, d)
        if self.cfg.hs:
            pts, mask = self.points[targets], self.path_mask[targets]  # (B, L)
            logits = (self.emb_out(pts) * h[:, None, :]).sum(-1)  # (B, L) = θ_jᵀ h
            labels = 1.0 - self.codes[targets]  # word2vec.c trains σ(θᵀh) towards 1 − bit
        else:
            if negatives is None:
                raise ValueError("negative sampling needs negatives")
            ids = torch.cat([targets[:, None], negatives], 1)  # (B, 1+k)
            logits = torch.bmm(self.emb_out(ids), h[:, :, None]).squeeze(-1)  # (B, 1+k)
            labels = torch.zeros_like(logits)
            labels[:, 0] = 1.0
            mask = torch.ones_like(logits)
            mask[:, 1:] = (negatives != targets[:, None]).float()
        loss = (F.binary_cross_entropy_with_logits(logits, labels, reduction="none") * mask).sum(1)  # (B,)
        return logits, loss.mean()

    @property
    def vectors(self) -> np.ndarray:
        return self.emb_in.weight.detach().numpy().astype(np.float32, copy=True)


# ---------------------------------------------------------------- training
def train_word2vec(model: Word2Vec, data: Word2VecData, cfg: Word2VecConfig) -> Iterator[Progress]:
    """SGD over shuffled batches of examples, epoch after epoch; one yield per batch (a few ms each)."""
    rng = np.random.default_rng(cfg.seed)
    sampler = None if cfg.hs else NegativeSampler(data.vocab.counts, cfg.ns_exponent, cfg.table_size, rng)
    B = cfg.batch_size
    inputs, targets = epoch_examples(data, cfg, rng)
    total = max(1, cfg.epochs * math.ceil(targets.size / B))  # later epochs differ slightly (sub-sampling)
    step, words, t0 = 0, 0, time.perf_counter()
    for epoch in range(cfg.epochs):
        if epoch:
            inputs, targets = epoch_examples(data, cfg, rng)
        for s in range(0, targets.size, B):
            x = torch.from_numpy(inputs[s : s + B])
            y = torch.from_numpy(targets[s : s + B])
            neg = torch.from_numpy(sampler.draw(y.numel(), cfg.negative)) if sampler is not None else None
            lr = linear_decay(cfg.lr, step, total)
            _, loss = model(x, y, neg)
            model.zero_grad(set_to_none=True)
            (loss * y.numel()).backward()  # the sum over pairs: each pair takes a full SGD step of size lr
            with torch.no_grad():
                for p in model.parameters():
                    if p.grad is not None:
                        p.add_(p.grad, alpha=-lr)
            step += 1
            words += y.numel()
            total = max(total, step)
            yield Progress(
                step,
                total,
                loss.item(),
                {"lr": lr, "epoch": epoch + 1, "pairs_per_s": words / (time.perf_counter() - t0)},
            )


@dataclass
class Word2VecResult:
    vectors: np.ndarray  # (V, d) float32, row i is vocab.itos[i]
    vocab: Vocab
    model: "Word2Vec | None"  # None for the numba fast path
    losses: list[float]
    status: str
    seconds: float


def fit_word2vec(
    sentences: Sequence[Sequence[str]], cfg: Word2VecConfig, max_seconds: float | None = None
) -> Word2VecResult:
    """Train on tokenised sentences in one call (other pages, tests, benchmarks)."""
    cfg.validate()
    data = prepare(sentences, cfg)
    model = Word2Vec(cfg, data.vocab)
    res = run(train_word2vec(model, data, cfg), max_seconds=max_seconds)
    return Word2VecResult(model.vectors, data.vocab, model, res.losses, res.status, res.seconds)


# ---------------------------------------------------------------- cost of the output layer (w2v-04, w2v-05)
def cost_per_example(V: int, D: int, N: int = 4, H: int = 500, k: int = 5) -> dict[str, float]:
    """Multiply-adds per training example, Mikolov et al. 2013 (section 2): N context words, D dims, H hidden."""
    log2v = math.log2(max(V, 2))
    return {
        "nnlm_softmax": N * D + N * D * H + H * V,
        "nnlm_hs": N * D + N * D * H + H * log2v,
        "cbow_softmax": N * D + D * V,
        "cbow_hs": N * D + D * log2v,
        "cbow_ns": N * D + D * (k + 1),
    }


def time_output_layers(
    V: int, d: int = 100, k: int = 5, batch: int = 256, repeats: int = 5, seed: int = 0
) -> dict[str, float]:
    """Measured seconds per SGD step (forward + backward) of full softmax, HS and NS on random vectors."""
    g = generator(seed)
    counts = np.sort(np.random.default_rng(seed).zipf(1.3, V).clip(max=10**9))[::-1].copy()
    h = torch.randn(batch, d, generator=g, requires_grad=True)
    y = torch.randint(0, V, (batch,), generator=g)
    W = torch.randn(V, d, generator=g).mul_(0.01).requires_grad_()
    tree = huffman(counts)
    codes, points, mask = (torch.from_numpy(a) for a in tree.padded())
    sampler = NegativeSampler(counts, seed=seed, table_size=min(1_000_000, 100 * V))

    def softmax_step():
        F.cross_entropy(h @ W.T, y).backward()

    def hs_step():
        z = (W[points[y]] * h[:, None, :]).sum(-1)
        (F.binary_cross_entropy_with_logits(z, 1 - codes[y], reduction="none") * mask[y]).sum(1).mean().backward()

    def ns_step():
        ids = torch.cat([y[:, None], torch.from_numpy(sampler.draw(batch, k))], 1)
        z = torch.bmm(W[ids], h[:, :, None]).squeeze(-1)
        lab = torch.zeros_like(z)
        lab[:, 0] = 1
        F.binary_cross_entropy_with_logits(z, lab, reduction="sum").div(batch).backward()

    out = {}
    for name, fn in (("softmax", softmax_step), ("hs", hs_step), ("ns", ns_step)):
        fn()  # warm-up
        t = time.perf_counter()
        for _ in range(repeats):
            fn()
        out[name] = (time.perf_counter() - t) / repeats
    return out


# ---------------------------------------------------------------- the distributional hypothesis (misc-02)
def context_overlap_corpus(
    overlap: float,
    n_sentences: int = 400,
    pool: int = 12,
    length: int = 5,
    seed: int = 0,
    pair: tuple[str, str] = ("blick", "dax"),
) -> list[list[str]]:
    """Sentences around two invented words: a share `overlap` of each one's context words comes from a common
    pool, the rest from a pool of its own. overlap 1 → identical context distributions, 0 → disjoint."""
    rng = np.random.default_rng(seed)
    shared = [f"s{i}" for i in range(pool)]
    own = {w: [f"{w[0]}{i}" for i in range(pool)] for w in pair}
    out = []
    for n in range(n_sentences):
        w = pair[n % 2]
        ctx = [
            shared[rng.integers(pool)] if rng.random() < overlap else own[w][rng.integers(pool)]
            for _ in range(length - 1)
        ]
        pos = int(rng.integers(length))
        out.append(ctx[:pos] + [w] + ctx[pos:])
    return out


def cosine_vs_overlap(
    levels: Sequence[float], cfg: Word2VecConfig, pair: tuple[str, str] = ("blick", "dax")
) -> list[float]:
    """Train one model per overlap level (same seed) and return cos(pair[0], pair[1]) for each."""
    out = []
    for level in levels:
        res = fit_word2vec(context_overlap_corpus(level, seed=cfg.seed, pair=pair), cfg)
        a, b = res.vectors[res.vocab.stoi[pair[0]]], res.vectors[res.vocab.stoi[pair[1]]]
        out.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12)))
    return out
