"""word2vec's per-pair SGD loop compiled with numba: the speed path (benchmarks, big corpora).

Same model and maths as engine/embeddings/word2vec.py (the readable PyTorch reference, which the tests check against
autograd); here every (word, context) pair takes its own SGD step exactly as word2vec.c does, and the corpus is
cut into chunks that threads process at the same time without locks ("hogwild", as word2vec.c and gensim do).
Each chunk has its own linear-congruential random stream (word2vec.c's next_random), so a run is reproducible
for a fixed number of chunks; with several threads the interleaving of writes still varies slightly.
"""

from __future__ import annotations

import time
from typing import Iterator, Sequence

import numpy as np

from engine.core.train import Progress, run
from engine.embeddings.huffman import huffman
from engine.embeddings.negative_sampling import cum_table
from engine.embeddings.word2vec import Word2VecConfig, Word2VecData, Word2VecResult, keep_probability, prepare

try:
    import numba
    from numba import njit, prange

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - numba is in requirements; keep the module importable without it
    HAVE_NUMBA = False

MAX_EXP = 6.0  # σ is tabulated on [-6, 6] and clipped outside, as in word2vec.c's expTable


def _jit(**kw):
    return njit(**kw) if HAVE_NUMBA else (lambda f: f)


@_jit(cache=True, fastmath=True, nogil=True)
def _rand(state: np.ndarray) -> np.uint64:
    state[0] = state[0] * np.uint64(25214903917) + np.uint64(11)
    return state[0] >> np.uint64(16)


EXP_TABLE_SIZE = 1000
# word2vec.c's tables: σ(f) and log σ(f) on a grid over [-MAX_EXP, MAX_EXP] (no exp/log in the inner loop)
_GRID = (np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP
SIGMOID_TABLE = (1 / (1 + np.exp(-_GRID))).astype(np.float32)
LOG_SIGMOID_TABLE = np.log(SIGMOID_TABLE).astype(np.float32)


@_jit(cache=True, fastmath=True, nogil=True)
def _lookup(f: float) -> int:
    i = int((f + MAX_EXP) * (EXP_TABLE_SIZE / MAX_EXP / 2.0))
    return 0 if i < 0 else (EXP_TABLE_SIZE - 1 if i >= EXP_TABLE_SIZE else i)


@_jit(cache=True, nogil=True)
def _draw(cum, state) -> int:
    """gensim's negative draw: a uniform point on the cumulative count^0.75 scale, found by binary search.
    The V-entry table stays in cache; word2vec.c's 1e8-cell table costs a cache miss per draw (2x slower here)."""
    return np.searchsorted(cum, _rand(state) % np.uint64(cum[cum.shape[0] - 1]), side="right")


@_jit(cache=True, nogil=True)
def sample_negatives(cum, n, seed):
    """n draws with the training loop's own generator (for tests and the page)."""
    state = np.empty(1, dtype=np.uint64)
    state[0] = np.uint64(seed)
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = _draw(cum, state)
    return out


@_jit(cache=True, fastmath=True, nogil=True)
def _logistic_step(l1, neu1e, u, label, alpha, sig, logsig) -> float:
    """One binary decision (a Huffman node, or a true/noise word): g = (label − σ(l1ᵀu))·α; u += g·l1; neu1e += g·u."""
    f = np.float32(0.0)
    for c in range(l1.shape[0]):
        f += l1[c] * u[c]
    i = _lookup(f)
    g = np.float32((label - sig[i]) * alpha)
    for c in range(l1.shape[0]):
        neu1e[c] += g * u[c]
        u[c] += g * l1[c]
    return -logsig[i] if label > 0.5 else -logsig[EXP_TABLE_SIZE - 1 - i]


@_jit(cache=True, fastmath=True, nogil=True)
def _output_layer(l1, neu1e, syn1, target, hs, codes, points, code_len, table, negative, alpha, state, sig, logsig):
    """One target word against the hidden vector l1: updates syn1 rows, accumulates l1's gradient in neu1e.
    Returns the loss of this example (−log P for HS, the NS objective for NS)."""
    loss = 0.0
    if hs:
        for j in range(code_len[target]):  # word2vec.c: label = 1 − code
            loss += _logistic_step(l1, neu1e, syn1[points[target, j]], 1.0 - codes[target, j], alpha, sig, logsig)
    else:
        loss += _logistic_step(l1, neu1e, syn1[target], 1.0, alpha, sig, logsig)
        for _ in range(negative):
            row = _draw(table, state)
            if row != target:  # a noise draw equal to the true word is skipped
                loss += _logistic_step(l1, neu1e, syn1[row], 0.0, alpha, sig, logsig)
    return loss


@_jit(cache=True, fastmath=True, nogil=True)
def _train_chunk(
    syn0,
    syn1,
    tokens,
    starts,
    s_lo,
    s_hi,
    keep,
    sg,
    hs,
    cbow_mean,
    codes,
    points,
    code_len,
    table,
    window,
    negative,
    alpha0,
    done_before,
    mult,
    total_words,
    seed,
    sig,
    logsig,
):
    """Sentences s_lo..s_hi-1 of this epoch. Returns (words seen, pairs trained, loss sum).

    The learning rate follows global progress: done_before + mult · (words this chunk has seen), where mult is
    how many chunks run side by side, so all chunks decay together like one word2vec.c run."""
    d = syn0.shape[1]
    state = np.empty(1, dtype=np.uint64)
    state[0] = np.uint64(seed)
    neu1 = np.empty(d, dtype=np.float32)
    neu1e = np.empty(d, dtype=np.float32)
    buf = np.empty(max(1, starts[s_hi] - starts[s_lo]), dtype=np.int64)
    seen, pairs, loss = 0, 0, 0.0
    alpha = alpha0
    for s in range(s_lo, s_hi):
        alpha = alpha0 * max(1.0 - (done_before + mult * seen) / (total_words + 1.0), 1e-4)
        n = 0
        for i in range(starts[s], starts[s + 1]):  # sub-sampling: keep w with P = keep[w]
            w = tokens[i]
            if keep[w] < 1.0 and keep[w] * 65536.0 < (_rand(state) & np.uint64(0xFFFF)):
                continue
            buf[n] = w
            n += 1
        seen += starts[s + 1] - starts[s]
        for pos in range(n):
            word = buf[pos]
            b = _rand(state) % np.uint64(window)
            span = window - np.int64(b)
            lo, hi = max(0, pos - span), min(n, pos + span + 1)
            if sg:
                for cpos in range(lo, hi):
                    if cpos == pos:
                        continue
                    ctx = buf[cpos]  # word2vec.c: the context word's vector predicts the centre word
                    neu1e[:] = 0.0
                    loss += _output_layer(
                        syn0[ctx],
                        neu1e,
                        syn1,
                        word,
                        hs,
                        codes,
                        points,
                        code_len,
                        table,
                        negative,
                        alpha,
                        state,
                        sig,
                        logsig,
                    )
                    for c in range(d):
                        syn0[ctx, c] += neu1e[c]
                    pairs += 1
            else:
                neu1[:] = 0.0
                cw = 0
                for cpos in range(lo, hi):
                    if cpos != pos:
                        for c in range(d):
                            neu1[c] += syn0[buf[cpos], c]
                        cw += 1
                if cw == 0:
                    continue
                if cbow_mean:
                    for c in range(d):
                        neu1[c] /= cw
                neu1e[:] = 0.0
                loss += _output_layer(
                    neu1, neu1e, syn1, word, hs, codes, points, code_len, table, negative, alpha, state, sig, logsig
                )
                for cpos in range(lo, hi):
                    if cpos != pos:
                        for c in range(d):
                            syn0[buf[cpos], c] += neu1e[c]
                pairs += 1
    return seen, pairs, loss


if HAVE_NUMBA:

    @njit(cache=True, parallel=True, nogil=True)
    def _train_block(
        syn0,
        syn1,
        tokens,
        starts,
        bounds,
        keep,
        sg,
        hs,
        cbow_mean,
        codes,
        points,
        code_len,
        table,
        window,
        negative,
        alpha0,
        done_before,
        total_words,
        seeds,
        sig,
        logsig,
    ):
        """Chunks of sentences in parallel (hogwild). bounds: (C + 1,) sentence cut points."""
        C = bounds.shape[0] - 1
        out = np.zeros((C, 3))
        block = max(1.0, (starts[bounds[C]] - starts[bounds[0]]) * 1.0)
        for ch in prange(C):
            share = max(1.0, (starts[bounds[ch + 1]] - starts[bounds[ch]]) * 1.0)
            s, p, l = _train_chunk(  # noqa: E741
                syn0,
                syn1,
                tokens,
                starts,
                bounds[ch],
                bounds[ch + 1],
                keep,
                sg,
                hs,
                cbow_mean,
                codes,
                points,
                code_len,
                table,
                window,
                negative,
                alpha0,
                done_before,
                block / share,
                total_words,
                seeds[ch],
                sig,
                logsig,
            )
            out[ch, 0], out[ch, 1], out[ch, 2] = s, p, l
        return out


def train_word2vec_fast(
    data: Word2VecData, cfg: Word2VecConfig, workers: int = 2, block_words: int = 200_000
) -> Iterator[tuple[Progress, np.ndarray]]:
    """Yields (Progress, syn0) after each block of ~block_words tokens; syn0 is trained in place."""
    if not HAVE_NUMBA:
        raise RuntimeError("numba is not installed")
    cfg.validate()
    numba.set_num_threads(max(1, min(workers, numba.config.NUMBA_NUM_THREADS)))
    V, d = len(data.vocab), cfg.dim
    rng = np.random.default_rng(cfg.seed)
    syn0 = ((rng.random((V, d), dtype=np.float32) - 0.5) / d).astype(np.float32)
    syn1 = np.zeros((V - 1 if cfg.hs else V, d), dtype=np.float32)
    if cfg.hs:
        codes_, points_, mask = huffman(data.vocab.counts).padded()
        codes, points, code_len = codes_.astype(np.float32), points_, mask.sum(1).astype(np.int64)
        table = np.zeros(1, dtype=np.int64)
    else:
        codes, points, code_len = np.zeros((1, 1), np.float32), np.zeros((1, 1), np.int64), np.zeros(1, np.int64)
        table = cum_table(data.vocab.counts, cfg.ns_exponent).astype(np.int64)
    keep = keep_probability(data.vocab.counts, cfg.sample).astype(np.float64)
    tokens = np.concatenate(data.sentences).astype(np.int64)
    starts = np.zeros(len(data.sentences) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([s.size for s in data.sentences])
    N = int(starts[-1])
    total_words = float(cfg.epochs * N)
    # blocks of sentences (for progress), each cut into chunks for the threads
    cuts = np.searchsorted(starts, np.arange(0, N, block_words), side="right") - 1
    cuts = np.unique(np.r_[cuts, len(data.sentences)])
    n_blocks = (len(cuts) - 1) * cfg.epochs
    done, step, t0 = 0.0, 0, time.perf_counter()
    for epoch in range(cfg.epochs):
        for b in range(len(cuts) - 1):
            lo, hi = int(cuts[b]), int(cuts[b + 1])
            C = max(1, min(4 * workers, hi - lo))
            bounds = np.unique(np.linspace(lo, hi, C + 1).astype(np.int64))
            seeds = rng.integers(1, 2**62, size=len(bounds) - 1).astype(np.uint64)
            out = _train_block(
                syn0,
                syn1,
                tokens,
                starts,
                bounds,
                keep,
                cfg.sg,
                cfg.hs,
                cfg.cbow_mean,
                codes,
                points,
                code_len,
                table,
                cfg.window,
                cfg.negative,
                cfg.lr,
                done,
                total_words,
                seeds,
                SIGMOID_TABLE,
                LOG_SIGMOID_TABLE,
            )
            done += out[:, 0].sum()
            step += 1
            pairs = max(out[:, 1].sum(), 1.0)
            yield (
                Progress(
                    step,
                    n_blocks,
                    float(out[:, 2].sum() / pairs),
                    {"epoch": epoch + 1, "words_per_s": done / (time.perf_counter() - t0)},
                ),
                syn0,
            )


def fit_word2vec_fast(
    sentences: Sequence[Sequence[str]] | Word2VecData,
    cfg: Word2VecConfig,
    workers: int = 2,
    max_seconds: float | None = None,
) -> Word2VecResult:
    data = sentences if isinstance(sentences, Word2VecData) else prepare(sentences, cfg)
    holder: dict = {}

    def steps():
        for p, syn0 in train_word2vec_fast(data, cfg, workers):
            holder["syn0"] = syn0
            yield p

    res = run(steps(), max_seconds=max_seconds)
    return Word2VecResult(holder["syn0"], data.vocab, None, res.losses, res.status, res.seconds)
