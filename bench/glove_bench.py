"""GloVe benchmark: co-occurrence counting and AdaGrad training throughput, ours vs plain-numpy references.

    python bench/glove_bench.py            # writes bench/results/glove.md

Both references are written here for the benchmark, do the same arithmetic, and are checked to give the same
numbers as ours before anything is timed:
- counting: all (word, context, 1/d) triples, then a sort on the key i*V + j and np.add.reduceat;
- training: the same mini-batch glove.c AdaGrad step with numpy fancy indexing and np.add.at.
Training runs on one thread, as in the app (ui/training.py sets torch.set_num_threads(1)).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.core.corpus import build_vocab, encode, load_corpus  # noqa: E402
from engine.embeddings.glove import GloVe, GloveConfig, Pairs, adagrad_step, cooccurrence, weighting  # noqa: E402

TOKENS, WINDOW, MIN_COUNT, DIM, BATCH, STEPS = 1_000_000, 10, 5, 50, 4096, 150


def numpy_cooccurrence(ids_list, V, window):
    """Reference: all (key = i*V + j, 1/d) pairs of the corpus at once (vectorised, sentence ends masked), then
    one sort and a segmented sum (np.add.reduceat) instead of scipy's sparse additions."""
    ids = np.concatenate(ids_list)
    sent = np.repeat(np.arange(len(ids_list)), [len(s) for s in ids_list])
    keys, weights = [], []
    for d in range(1, window + 1):
        same = sent[d:] == sent[:-d]
        a, b = ids[d:][same], ids[:-d][same]
        w = np.full(a.size, 1.0 / d)
        keys += [a * V + b, b * V + a]
        weights += [w, w]
    k, w = np.concatenate(keys), np.concatenate(weights)
    order = np.argsort(k, kind="stable")
    k, w = k[order], w[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sums = np.add.reduceat(w, starts)
    uk = k[starts]
    return sp.csr_matrix((sums, (uk // V, uk % V)), shape=(V, V))


class NumpyGlove:
    """Reference trainer: glove.c's AdaGrad on a mini-batch, numpy only."""

    def __init__(self, model: GloVe):
        self.w, self.c = model.w.detach().numpy().copy(), model.w_ctx.detach().numpy().copy()
        self.b, self.bc = model.b.detach().numpy().copy(), model.b_ctx.detach().numpy().copy()
        self.G = {k: np.ones_like(v) for k, v in (("w", self.w), ("c", self.c), ("b", self.b), ("bc", self.bc))}

    def step(self, rows, cols, x, cfg: GloveConfig) -> float:
        wi, cj = self.w[rows], self.c[cols]
        diff = (wi * cj).sum(1) + self.b[rows] + self.bc[cols] - np.log(x)
        fdiff = weighting(x, cfg.x_max, cfg.alpha) * diff
        g = cfg.lr * fdiff  # lr * d(0.5 f diff^2)/d(bias)
        for name, param, idx, grad in (
            ("w", self.w, rows, g[:, None] * cj),
            ("c", self.c, cols, g[:, None] * wi),
            ("b", self.b, rows, g),
            ("bc", self.bc, cols, g),
        ):
            touched, inv = np.unique(idx, return_inverse=True)
            acc = np.zeros((touched.size, *param.shape[1:]))
            np.add.at(acc, inv, grad)  # gradients of a word seen several times in the batch add up
            param[touched] -= acc / np.sqrt(self.G[name][touched])
            self.G[name][touched] += acc**2
        return 0.5 * float((fdiff * diff).sum())


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    torch.set_num_threads(1)
    corpus = load_corpus("news_en", TOKENS)
    vocab = build_vocab(corpus.sentences, min_count=MIN_COUNT, max_size=20_000)
    ids = encode(corpus.sentences, vocab)
    V, n_tok = len(vocab), int(sum(len(s) for s in ids))

    t_ours, X = best_of(lambda: cooccurrence(ids, V, WINDOW))
    t_ref, X_ref = best_of(lambda: numpy_cooccurrence(ids, V, WINDOW))
    assert abs(X - X_ref).max() < 1e-9, "the reference counts differ"

    pairs = Pairs.from_matrix(X)
    cfg = GloveConfig(dim=DIM, batch_size=BATCH)
    perm = np.random.default_rng(0).permutation(len(pairs))
    batches = [perm[i * BATCH : (i + 1) * BATCH] for i in range(STEPS)]

    # same start, same batches: both trainers must agree before they are timed
    model = GloVe(V, DIM, seed=0)
    ref = NumpyGlove(model)
    for idx in batches[:3]:
        r, c, x = pairs.rows[idx], pairs.cols[idx], pairs.vals[idx]
        adagrad_step(model, torch.from_numpy(r), torch.from_numpy(c), torch.from_numpy(x), cfg)
        ref.step(r, c, x, cfg)
    assert np.allclose(model.w.detach().numpy(), ref.w, atol=1e-10), "the reference training differs"

    def train_ours():
        m = GloVe(V, DIM, seed=0)
        rows, cols, vals = (torch.from_numpy(a) for a in (pairs.rows, pairs.cols, pairs.vals))
        for idx in batches:
            ti = torch.from_numpy(idx)
            adagrad_step(m, rows[ti], cols[ti], vals[ti], cfg)

    def train_ref():
        m = NumpyGlove(GloVe(V, DIM, seed=0))
        for idx in batches:
            m.step(pairs.rows[idx], pairs.cols[idx], pairs.vals[idx], cfg)

    n_pairs = STEPS * BATCH
    tt_ours, _ = best_of(train_ours, 2)
    tt_ref, _ = best_of(train_ref, 2)

    lines = [
        "## GloVe (bench/glove_bench.py)\n",
        f"Corpus: news_en, {n_tok:,} tokens after min_count {MIN_COUNT} (vocabulary {V:,}), window {WINDOW} with 1/d "
        f"weights, symmetric → {X.nnz:,} non-zero X_ij. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end (shared machine: absolute times are noisy, ratios less so). "
        "Best of 3 (counting) / 2 (training) runs; results checked equal to the reference before timing.\n",
        "| task | ours | plain-numpy reference | speed-up |",
        "|---|---|---|---|",
        f"| co-occurrence build (`engine.embeddings.glove.cooccurrence`, scipy CSR per distance) | {t_ours:.2f} s "
        f"({n_tok / t_ours / 1e6:.2f} M tokens/s) | {t_ref:.2f} s (vectorised pairs, sort + reduceat) | {t_ref / t_ours:.2f}× |",
        f"| AdaGrad training, d = {DIM}, batch {BATCH}, {STEPS} steps, 1 thread (`adagrad_step`, PyTorch, "
        f"sparse row updates) | {tt_ours:.2f} s ({n_pairs / tt_ours / 1e3:,.0f} k pairs/s) | {tt_ref:.2f} s "
        f"({n_pairs / tt_ref / 1e3:,.0f} k pairs/s, np.add.at) | {tt_ref / tt_ours:.2f}× |",
        "",
        f"One epoch over all {X.nnz:,} pairs at our rate: ≈ {X.nnz / (n_pairs / tt_ours):.1f} s.\n",
    ]
    out = ROOT / "bench" / "results" / "glove.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
