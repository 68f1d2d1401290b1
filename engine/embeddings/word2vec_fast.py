"""word2vec's per-example SGD loop compiled with numba: the speed path (benchmarks, big corpora).

Same model and maths as engine/embeddings/word2vec.py (the readable PyTorch reference, which the tests check against
autograd): skip-gram or CBOW, hierarchical softmax or negative sampling, word2vec.c's sub-sampling, reduced window and
linearly decaying learning rate. Every training example (a (context, centre) pair in skip-gram, a centre word and its
window in CBOW) takes its own SGD step, as in word2vec.c and gensim's word2vec_inner; the corpus is cut into jobs of
~10,000 words that worker threads pull from a shared counter and train at the same time without locks ("hogwild").

What makes it fast (bench/word2vec_vs_gensim.py measures it against gensim on the same machine, in the same run):
- the kernel (`_train_job`) is one nogil, fastmath numba function; its helpers are inlined at numba's level, so no
  array is passed to a call inside the loop (each such call costs a reference-count increment and decrement on the
  shared weight arrays, which two threads would fight over), and the dot products and axpys are plain loops that
  LLVM vectorises in place of gensim's BLAS calls per row;
- the rows are padded to whole 64-byte lines (16 float32; the padding stays zero) and start on line boundaries;
- an example's n decisions (Huffman nodes, or the true word and its noise words) compute their n dot products first,
  as one batch, then update: this is one exact SGD step on the example's loss Σ_j −log σ(±h·u_j) (a noise word drawn
  twice gets both gradient terms), and the independent dot products overlap in the CPU instead of each waiting for
  the previous update;
- noise words are drawn with Walker's alias method (one random number, two look-ups in V-entry arrays that stay in
  cache; gensim binary-searches its cumulative table) one example ahead, and their rows are prefetched then
  (PREFETCHW through llvm.prefetch), so their cache misses are served while the current example computes;
- the random stream is a 64-bit LCG held in a register (the high 32 bits are used); sub-sampling and the reduced
  window compare 32-bit random integers with precomputed integer thresholds;
- σ and log σ come from word2vec.c's 1000-cell tables; a decision with |f| ≥ 6 updates nothing (gensim's rule);
- HS reads each word's Huffman path from padded, contiguous (V, L) arrays of points and labels (1 − code);
- threads' scratch buffers are allocated on cache lines of their own (no false sharing);
- HS with several threads: every example updates the nodes nearest the root, so two cores writing them at once
  bounce their cache lines back and forth (on an idle 2-core machine this halved our HS throughput per core). Each
  thread therefore trains its own copy of the HOT_NODES nodes nearest the root and merges it every SYNC_SENTENCES
  sentences, shared += copy − snapshot (the sum of both threads' updates, as hogwild's in-place writes give, only
  delayed by at most 8 sentences); the rest of the tree, and NS's output rows, are written in place as before.

Each job has its own seed, and its learning rate is fixed by where the job sits in the corpus, so one thread with a
fixed seed gives the same vectors every run (and keeps no copies); with several threads the interleaving of writes
varies.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Iterator, Sequence

import numpy as np

from engine.core.train import Progress, run
from engine.embeddings.huffman import huffman
from engine.embeddings.negative_sampling import noise_distribution
from engine.embeddings.word2vec import Word2VecConfig, Word2VecData, Word2VecResult, keep_probability, prepare

try:
    from llvmlite import ir
    from numba import njit, types
    from numba.core import cgutils
    from numba.extending import intrinsic

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - numba is in requirements; keep the module importable without it
    HAVE_NUMBA = False

MAX_EXP = 6.0  # σ is tabulated on [-6, 6]; a step whose f falls outside is skipped (gensim, word2vec.c's HS)
EXP_TABLE_SIZE = 1000
# word2vec.c's tables: σ(f) and log σ(f) on a grid over [-MAX_EXP, MAX_EXP] (no exp/log in the inner loop)
_GRID = (np.arange(EXP_TABLE_SIZE) / EXP_TABLE_SIZE * 2 - 1) * MAX_EXP
SIGMOID_TABLE = (1 / (1 + np.exp(-_GRID))).astype(np.float32)
LOG_SIGMOID_TABLE = np.log(SIGMOID_TABLE).astype(np.float32)
JOB_WORDS = 10_000  # corpus words per job (gensim's batch_words)
HOT_NODES = 256  # HS with several threads: the Huffman nodes nearest the root (8 levels) each thread keeps a copy of
SYNC_SENTENCES = 8  # ... and merges into the shared rows every this many sentences (and at the start and end of a job)

_MUL = np.uint64(6364136223846793005)  # Knuth's MMIX LCG; the high 32 bits of the state are the output
_INC = np.uint64(1442695040888963407)
_S32 = np.uint64(32)
_TWO32 = np.uint64(1 << 32)
_LOW32 = np.uint64(0xFFFFFFFF)
_LO = np.float32(-MAX_EXP)
_HI = np.float32(MAX_EXP)
_SCALE = np.float32(EXP_TABLE_SIZE / MAX_EXP / 2.0)


def _jit(**kw):
    return njit(**kw) if HAVE_NUMBA else (lambda f: f)


if HAVE_NUMBA:

    @intrinsic
    def _prefetch_line(typingctx, arr, row, col):
        """Ask for the cache line holding arr[row, col], for writing (x86 PREFETCHW): llvm.prefetch(rw=1, locality=3)."""

        def codegen(context, builder, signature, args):
            aryty = signature.args[0]
            ary = context.make_array(aryty)(context, builder, args[0])
            idx = [context.cast(builder, args[i], signature.args[i], types.intp) for i in (1, 2)]
            ptr = cgutils.get_item_pointer(context, builder, aryty, ary, idx, wraparound=False)
            i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), "llvm.prefetch.p0"
            )
            builder.call(fn, [builder.bitcast(ptr, i8p), i32(1), i32(3), i32(1)])
            return context.get_dummy_value()

        if not (isinstance(arr, types.Array) and isinstance(row, types.Integer) and isinstance(col, types.Integer)):
            return None
        return types.void(arr, row, col), codegen

else:  # pragma: no cover

    def _prefetch_line(arr, row, col):
        pass


@_jit(cache=True, nogil=True, inline="always")
def _prefetch_row(arr, row):
    for c in range(0, arr.shape[1], 16):  # 16 float32 = one 64-byte line
        _prefetch_line(arr, row, c)


def alias_table(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias tables for the distribution p: (alias (V,) int32, thresholds (V,) uint64 in [0, 2^32]).

    A draw takes a uniform 32-bit r: bucket i = ⌊r·V / 2^32⌋, fraction u = r·V mod 2^32; the word is i when
    u < threshold[i], else alias[i]. Bucket i keeps p_i·V of its unit mass and lends the rest to alias[i]."""
    p = np.asarray(p, dtype=np.float64)
    V = p.size
    q = p / p.sum() * V
    alias = np.arange(V, dtype=np.int32)
    small = [i for i in range(V) if q[i] < 1.0]
    large = [i for i in range(V) if q[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        alias[s] = g
        q[g] -= 1.0 - q[s]
        (small if q[g] < 1.0 else large).append(g)
    for i in small + large:  # what is left is 1 up to rounding
        q[i] = 1.0
    thresholds = np.minimum(np.round(q * 2.0**32), 2.0**32).astype(np.uint64)
    return alias, thresholds


@_jit(cache=True, fastmath=True, nogil=True, inline="always")
def _alias_draw(x, alias, thresholds):
    """One draw from the alias tables with the random state x (the caller advances x first)."""
    t = (x >> _S32) * np.uint64(alias.shape[0])
    i = t >> _S32
    if (t & _LOW32) >= thresholds[i]:
        return np.int64(alias[i])
    return np.int64(i)


@_jit(cache=True, nogil=True)
def sample_negatives(alias, thresholds, n, seed):
    """n draws with the training loop's own generator and draw (for tests and the page)."""
    x = np.uint64(seed)
    out = np.empty(n, dtype=np.int64)
    for k in range(n):
        x = x * _MUL + _INC
        out[k] = _alias_draw(x, alias, thresholds)
    return out


@_jit(cache=True, fastmath=True, nogil=True, inline="always")
def _draw_negatives(x, alias, thresholds, word, rows, ahead, syn1, hot_k, hot_base):
    """rows[0, 0] = the true word, then the noise words drawn one example ahead (in `ahead`) that differ from it (a
    draw equal to the true word is skipped, as in word2vec.c and gensim); `ahead` is refilled for the next example and
    those rows are prefetched now, so their cache misses are served while this example computes. Returns (random
    state, rows used)."""
    rows[0, 0] = word + hot_base if word < hot_k else word
    n = 1
    for k in range(ahead.shape[0]):
        t = ahead[k]
        if t != word:
            rows[0, n] = t + hot_base if t < hot_k else t
            n += 1
        x = x * _MUL + _INC
        t = _alias_draw(x, alias, thresholds)
        ahead[k] = t
        _prefetch_row(syn1, t)
    return x, n


@_jit(cache=True, fastmath=True, nogil=True, inline="always")
def _example(l1, r1, syn1, rows, labels, w, n, alpha, neu1e, fs, sig, logsig):
    """One training example: the hidden vector h = l1[r1] against the n output rows u_j = syn1[rows[w, j]] with
    labels[w, j] (the nodes of a Huffman path with 1 − code, or the true word (1) and its noise words (0)).

    One SGD step on the example's loss Σ_j −log σ(±h·u_j): f_j = h·u_j; g_j = (label_j − σ(f_j))·α;
    neu1e += g_j·u_j; u_j += g_j·h (h itself moves by neu1e afterwards, in the caller). The n dot products come
    first, as one batch: they are independent, so the CPU overlaps them instead of waiting for each update.
    A decision with |f| ≥ MAX_EXP is saturated and updates nothing (gensim's rule). Returns the loss."""
    d = l1.shape[1]
    for j in range(n):
        r = rows[w, j]
        f = np.float32(0.0)
        for c in range(d):
            f += l1[r1, c] * syn1[r, c]
        fs[j] = f
    loss = 0.0
    for j in range(n):
        f = fs[j]
        label = labels[w, j]
        i = int((min(max(f, _LO), np.float32(MAX_EXP - 1e-3)) + _HI) * _SCALE)
        # −log σ(f) for label 1, −log σ(−f) for label 0, without a branch (HS labels are a coin flip to the predictor)
        loss -= label * logsig[i] + (np.float32(1.0) - label) * logsig[EXP_TABLE_SIZE - 1 - i]
        if f <= _LO or f >= _HI:
            continue
        g = (label - sig[i]) * alpha
        r = rows[w, j]
        for c in range(d):  # two loops, not one: each vectorises on its own (one fused loop ran ~1.4x slower)
            neu1e[c] += g * syn1[r, c]
        for c in range(d):
            syn1[r, c] += g * l1[r1, c]
    return loss


@_jit(cache=True, fastmath=True, nogil=True, inline="always")
def _sync_hot(syn1, hot_k, hot_base, snap):
    """Merge this thread's copies of the hot rows into the shared ones: shared += copy − snapshot (the updates made
    since the last merge, added hogwild-style), then copy = snapshot = shared (the other threads' updates come in)."""
    d = syn1.shape[1]
    for r in range(hot_k):
        for c in range(d):
            v = syn1[r, c] + (syn1[hot_base + r, c] - snap[r, c])
            syn1[r, c] = v
            syn1[hot_base + r, c] = v
            snap[r, c] = v


@_jit(cache=True, fastmath=True, nogil=True)
def _train_job(
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
    labels,
    points,
    code_len,
    alias,
    thresholds,
    window,
    negative,
    alpha0,
    alpha1,
    seed,
    sig,
    logsig,
    neu1,
    neu1e,
    buf,
    fs,
    hot_k,
    hot_base,
    snap,
    sync_every,
):
    """Sentences s_lo..s_hi-1 of one job. Returns (words seen, examples trained, loss sum).

    keep: (V,) uint64 sub-sampling thresholds (a word is kept when a 32-bit random is below; 2^32 = always);
    labels/points/code_len: each word's Huffman path (HS); alias/thresholds: the noise distribution (NS);
    alpha falls linearly from alpha0 to alpha1 over the job; neu1 (1, d), neu1e (d,), buf (longest sentence),
    fs (≥ path length and negative + 1): this thread's scratch. syn0/syn1 may have zero padding columns."""
    d = syn0.shape[1]
    x = np.uint64(seed)
    w_total = max(1, starts[s_hi] - starts[s_lo])
    win = np.uint64(window)
    ns_rows = np.zeros((1, negative + 1), dtype=np.int64)
    ns_labels = np.zeros((1, negative + 1), dtype=np.float32)
    ns_labels[0, 0] = 1.0
    ahead = np.zeros(negative, dtype=np.int64)  # the next example's noise words, drawn (and prefetched) a step early
    if not hs:
        for k in range(negative):
            x = x * _MUL + _INC
            ahead[k] = _alias_draw(x, alias, thresholds)
    seen, examples, loss = 0, 0, 0.0
    _sync_hot(syn1, hot_k, hot_base, snap)
    for s in range(s_lo, s_hi):
        if hot_k > 0 and (s - s_lo) % sync_every == sync_every - 1:
            _sync_hot(syn1, hot_k, hot_base, snap)
        alpha = np.float32(alpha0 + (alpha1 - alpha0) * (seen / w_total))
        n = 0
        for i in range(starts[s], starts[s + 1]):
            w = tokens[i]
            if keep[w] < _TWO32:
                x = x * _MUL + _INC
                if (x >> _S32) >= keep[w]:
                    continue
            buf[n] = w
            n += 1
        seen += starts[s + 1] - starts[s]
        for pos in range(n):
            word = buf[pos]
            x = x * _MUL + _INC
            span = window - np.int64(((x >> _S32) * win) >> _S32)  # word2vec.c: b uniform in 0..window-1
            lo, hi = max(0, pos - span), min(n, pos + span + 1)
            if sg and hs:  # the centre's path serves all its contexts: ask for its rows before the first example
                for j in range(code_len[word]):  # (in CBOW, with one example per path, this measured ~10% slower)
                    _prefetch_row(syn1, points[word, j])
            if sg:
                for cpos in range(lo, hi):
                    if cpos == pos:
                        continue
                    ctx = buf[cpos]  # word2vec.c, gensim: the context word's vector predicts the centre word
                    for c in range(d):
                        neu1e[c] = 0.0
                    if hs:
                        loss += _example(
                            syn0, ctx, syn1, points, labels, word, code_len[word], alpha, neu1e, fs, sig, logsig
                        )
                    else:
                        x, k = _draw_negatives(x, alias, thresholds, word, ns_rows, ahead, syn1, hot_k, hot_base)
                        loss += _example(syn0, ctx, syn1, ns_rows, ns_labels, 0, k, alpha, neu1e, fs, sig, logsig)
                    for c in range(d):
                        syn0[ctx, c] += neu1e[c]
                    examples += 1
            else:
                if hi - lo < 2:
                    continue
                k = 0
                if not hs:
                    x, k = _draw_negatives(x, alias, thresholds, word, ns_rows, ahead, syn1, hot_k, hot_base)
                for c in range(d):
                    neu1[0, c] = 0.0
                for cpos in range(lo, hi):
                    if cpos != pos:
                        r = buf[cpos]
                        for c in range(d):
                            neu1[0, c] += syn0[r, c]
                if cbow_mean:
                    inv = np.float32(1.0 / (hi - lo - 1))
                    for c in range(d):
                        neu1[0, c] *= inv
                for c in range(d):
                    neu1e[c] = 0.0
                if hs:
                    loss += _example(neu1, 0, syn1, points, labels, word, code_len[word], alpha, neu1e, fs, sig, logsig)
                else:
                    loss += _example(neu1, 0, syn1, ns_rows, ns_labels, 0, k, alpha, neu1e, fs, sig, logsig)
                for cpos in range(lo, hi):
                    if cpos != pos:
                        r = buf[cpos]
                        for c in range(d):
                            syn0[r, c] += neu1e[c]
                examples += 1
    _sync_hot(syn1, hot_k, hot_base, snap)
    return seen, examples, loss


class _Tables:
    """Everything the kernel reads besides the weights, built once per training."""

    def __init__(self, data: Word2VecData, cfg: Word2VecConfig):
        counts = data.vocab.counts
        if cfg.hs:
            codes, points, mask = huffman(counts).padded()
            self.labels = (1.0 - codes).astype(np.float32)
            # nodes renumbered root first, by depth (the rows all start at zero, so the numbering changes nothing):
            # the K nodes nearest the root, which every example touches, are then rows 0..K-1
            depth = np.full(len(counts) - 1, 1 << 30)
            np.minimum.at(depth, points[mask > 0], np.nonzero(mask > 0)[1])
            order = np.argsort(depth, kind="stable")
            new_id = np.empty_like(order)
            new_id[order] = np.arange(order.size)
            self.points = np.where(mask > 0, new_id[points], 0).astype(np.int32)  # int32: half the cache lines
            self.code_len = mask.sum(1).astype(np.int64)
            self.alias, self.thresholds = np.zeros(1, np.int32), np.zeros(1, np.uint64)
        else:
            self.labels, self.points = np.zeros((1, 1), np.float32), np.zeros((1, 1), np.int32)
            self.code_len = np.zeros(1, np.int64)
            self.alias, self.thresholds = alias_table(noise_distribution(counts, cfg.ns_exponent))
        self.keep = np.minimum(np.round(keep_probability(counts, cfg.sample) * 2.0**32), 2.0**32).astype(np.uint64)
        self.tokens = np.concatenate(data.sentences).astype(np.int64)
        self.starts = np.zeros(len(data.sentences) + 1, dtype=np.int64)
        self.starts[1:] = np.cumsum([s.size for s in data.sentences])
        self.longest = int(np.diff(self.starts).max())


def _aligned_zeros(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    """Zeros whose data starts on a 64-byte cache line and has a free line after it: rows of a padded matrix then
    start on line boundaries, and two threads' scratch arrays never share a line (no false sharing)."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    raw = np.zeros(n * dtype.itemsize + 192, dtype=np.uint8)
    off = (-raw.ctypes.data) % 64
    return raw[off : off + n * dtype.itemsize].view(dtype).reshape(shape)


def padded_dim(dim: int) -> int:
    """Columns the kernel works on: dim rounded up to 16 float32 (one 64-byte line), the extra columns zero."""
    return -(-dim // 16) * 16


def init_weights(V: int, cfg: Word2VecConfig) -> tuple[np.ndarray, np.ndarray]:
    """syn0 uniform in ±1/d (gensim's start; word2vec.c and the PyTorch reference use ±0.5/d, which measured ~0.005
    lower wordsim ρ for skip-gram + NS on NewsArticles), the output layer (V − 1 Huffman nodes, or V words) zero.

    Both are (rows, padded_dim) with zero padding columns; the padding stays zero (every update of a padding column
    is a multiple of another padding column), so it changes no dot product and the caller keeps syn0[:, :dim]."""
    rng = np.random.default_rng(cfg.seed)
    syn0 = _aligned_zeros((V, padded_dim(cfg.dim)))
    syn0[:, : cfg.dim] = (rng.random((V, cfg.dim), dtype=np.float32) * 2 - 1) / cfg.dim
    syn1 = _aligned_zeros((V - 1 if cfg.hs else V, padded_dim(cfg.dim)))
    return syn0, syn1


def job_plan(starts: np.ndarray, epochs: int, lr: float, job_words: int = JOB_WORDS) -> np.ndarray:
    """(n_jobs, 4) float64 rows (first sentence, end sentence, α at start, α at end) over all epochs, in order.

    A job ends at the first sentence boundary past job_words words. α follows word2vec.c's schedule over the whole
    run, lr·max(1 − done/total, 1e-4), fixed by where the job sits in the corpus (not by when a thread gets it)."""
    N = int(starts[-1])
    cuts = np.unique(np.r_[np.searchsorted(starts, np.arange(0, N, job_words), side="left"), len(starts) - 1])
    cuts = cuts[cuts <= len(starts) - 1]
    lo, hi = cuts[:-1], cuts[1:]
    total = float(epochs * N) + 1.0
    rows = []
    for e in range(epochs):
        a0 = lr * np.maximum(1.0 - (e * N + starts[lo]) / total, 1e-4)
        a1 = lr * np.maximum(1.0 - (e * N + starts[hi]) / total, 1e-4)
        rows.append(np.stack([lo, hi, a0, a1], axis=1))
    return np.concatenate(rows)


def train_word2vec_fast(
    data: Word2VecData,
    cfg: Word2VecConfig,
    workers: int = 2,
    block_words: int = 200_000,
    job_words: int = JOB_WORDS,
) -> Iterator[tuple[Progress, np.ndarray]]:
    """Yields (Progress, vectors (V, dim)) each time another ~block_words corpus words are trained (at least once
    per epoch); the vectors are a view of the weights being trained in place.

    `workers` threads pull jobs in corpus order from a shared counter and run the nogil kernel on them; the jobs'
    learning rates and seeds are fixed in advance, so workers=1 is deterministic for a seed."""
    if not HAVE_NUMBA:
        raise RuntimeError("numba is not installed")
    cfg.validate()
    tab = _Tables(data, cfg)
    syn0, shared1 = init_weights(len(data.vocab), cfg)
    vectors = syn0[:, : cfg.dim]
    T = max(1, workers)
    R = shared1.shape[0]
    hot_k = min(HOT_NODES, R) if cfg.hs and T > 1 else 0
    syn1 = _aligned_zeros((R + T * hot_k, shared1.shape[1]))  # shared rows, then each thread's copies of the hot ones
    thread_ids = itertools.count()
    plan = job_plan(tab.starts, cfg.epochs, cfg.lr, job_words)
    per_epoch = len(plan) // cfg.epochs
    seeds = np.random.default_rng([cfg.seed, 1]).integers(1, 2**63, size=len(plan), dtype=np.uint64)
    N = int(tab.starts[-1])
    results = np.zeros((len(plan), 3))
    counter = itertools.count()
    finished: list[int] = []
    cond = threading.Condition()
    stop = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        t = next(thread_ids)
        hot_base = R + t * hot_k
        snap = _aligned_zeros((max(hot_k, 1), syn0.shape[1]))
        points = tab.points
        if cfg.hs and hot_k:
            points = np.where(tab.points < hot_k, tab.points + hot_base, tab.points).astype(np.int32)
        dp = syn0.shape[1]  # scratch: each thread its own, on cache lines of its own
        neu1, neu1e = _aligned_zeros((1, dp)), _aligned_zeros((dp,))
        buf = _aligned_zeros((tab.longest + 1,), np.int64)
        fs = _aligned_zeros((max(tab.points.shape[1], cfg.negative + 1),))
        try:
            while not stop.is_set():
                k = next(counter)  # atomic under the GIL
                if k >= len(plan):
                    break
                lo, hi, a0, a1 = plan[k]
                results[k] = _train_job(
                    syn0,
                    syn1,
                    tab.tokens,
                    tab.starts,
                    int(lo),
                    int(hi),
                    tab.keep,
                    cfg.sg,
                    cfg.hs,
                    cfg.cbow_mean,
                    tab.labels,
                    points,
                    tab.code_len,
                    tab.alias,
                    tab.thresholds,
                    cfg.window,
                    cfg.negative,
                    a0,
                    a1,
                    seeds[k],
                    SIGMOID_TABLE,
                    LOG_SIGMOID_TABLE,
                    neu1,
                    neu1e,
                    buf,
                    fs,
                    hot_k,
                    hot_base,
                    snap,
                    SYNC_SENTENCES,
                )
                with cond:
                    finished.append(k)
                    cond.notify()
        except BaseException as e:  # pragma: no cover - surfaced in the generator below
            errors.append(e)
            with cond:
                cond.notify()

    # Progress blocks: consecutive jobs in plan order, ~block_words each, never across an epoch; a block is reported
    # once all its jobs (and all before them) are done, so the records do not depend on the threads' timing
    per_block = N / max(1, int(np.ceil(N / block_words)))
    epoch_of = np.arange(len(plan)) // per_epoch
    raw = epoch_of * (N + 1) + np.floor(tab.starts[plan[:, 0].astype(np.int64)] / per_block)
    _, block_of = np.unique(raw, return_inverse=True)
    last_of_block = np.r_[np.nonzero(np.diff(block_of))[0], len(plan) - 1]
    n_blocks = len(last_of_block)
    done = np.zeros(len(plan), dtype=bool)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, workers))]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    try:
        taken, frontier, b, done_words = 0, 0, 0, 0.0
        while b < n_blocks:
            with cond:
                while len(finished) == taken and not errors:
                    cond.wait()
                new = finished[taken:]
            if errors:
                raise errors[0]
            taken += len(new)
            done[new] = True
            done_words += float(results[new, 0].sum())
            while frontier < len(plan) and done[frontier]:
                frontier += 1
            while b < n_blocks and last_of_block[b] < frontier:
                r = results[block_of == b]
                metrics = {
                    "epoch": int(epoch_of[last_of_block[b]]) + 1,
                    "words_per_s": done_words / (time.perf_counter() - t0),
                }
                b += 1
                yield Progress(b, n_blocks, float(r[:, 2].sum() / max(r[:, 1].sum(), 1.0)), metrics), vectors
    finally:
        stop.set()
        for th in threads:
            th.join()


def fit_word2vec_fast(
    sentences: Sequence[Sequence[str]] | Word2VecData,
    cfg: Word2VecConfig,
    workers: int = 2,
    max_seconds: float | None = None,
    job_words: int = JOB_WORDS,
) -> Word2VecResult:
    data = sentences if isinstance(sentences, Word2VecData) else prepare(sentences, cfg)
    holder: dict = {}

    def steps():
        for p, syn0 in train_word2vec_fast(data, cfg, workers, job_words=job_words):
            holder["vectors"] = syn0
            yield p

    res = run(steps(), max_seconds=max_seconds)
    vectors = np.ascontiguousarray(holder["vectors"])
    return Word2VecResult(vectors, data.vocab, None, res.losses, res.status, res.seconds)
