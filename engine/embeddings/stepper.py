"""Step-through training: word2vec and GloVe one update at a time, each update recorded whole.

`Word2VecStepper.step()` takes ONE skip-gram pair and makes one SGD update with negative sampling (the target's
output row and k sampled ones) or hierarchical softmax (the output rows of the nodes on the target's Huffman
path); `GloveStepper.step()` takes ONE non-zero co-occurrence cell X_ij and makes one AdaGrad update of w_i, w̃_j,
b_i and b̃_j. Each returns a `StepRecord`: the rows it touched, their values before and after, their gradients,
the update it added, and the loss of that pair / cell before and after the update.

The maths is engine/embeddings/word2vec.py's and glove.py's for a batch of one (the tests check it against
them, and against autograd), written out in float64 numpy so that every number shown is the one used:
- word2vec: the pair (centre c, context o) feeds the context word's input row and predicts the centre word, as
  word2vec.c and engine/embeddings/word2vec.py do. Loss = Σ_k mask_k · BCE(σ(u_kᵀh), label_k) with h = W_in[o]:
  NS labels 1 for the target c and 0 for each negative (a negative equal to c is skipped), HS labels
  1 − code bit per node. Plain SGD with a constant lr: W ← W − lr · ∇.
- GloVe: glove.c's cost ½ f(X_ij)(w_iᵀw̃_j + b_i + b̃_j − log X_ij)², AdaGrad with accumulators G starting at 1:
  θ ← θ − lr · ∇ / √G, then G ← G + (lr · ∇)² (glove.c's order; engine.embeddings.glove.adagrad_step).
Pairs come in word2vec.c's order within a sentence (each centre draws a window 1..window), sentences in a fresh
shuffled order each epoch, no sub-sampling; GloVe's cells in a fresh shuffled order each epoch. Every random
draw comes from one numpy Generator seeded by cfg.seed, so a seed replays the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from engine.embeddings.glove import Counts, GloVe, GloveConfig, GloveInputError, weighting
from engine.embeddings.negative_sampling import NegativeSampler
from engine.embeddings.word2vec import Word2Vec, Word2VecConfig, Word2VecData, Word2VecInputError

HISTORY = 5000  # loss points kept for the running curve
TABLE_SIZE = 100_000  # cells of the negative-sampling table (the vocabularies here are small)


@dataclass(frozen=True)
class StepRecord:
    """One update. Matrices are named ("W_in", "W_out"; GloVe "w", "w_ctx", "b", "b_ctx"; a bias is a (V, 1)
    matrix); for each, `rows` lists the rows touched (in the order the step used them, each once) and `before`,
    `after`, `grad`, `update` hold those rows (len(rows), d). update = after − before = −lr · grad (SGD) or
    −lr · grad / √G (AdaGrad); no other row changes."""

    step: int  # 1 for the first update
    kind: str  # "ns", "hs" or "glove"
    rows: dict[str, np.ndarray]
    before: dict[str, np.ndarray]
    after: dict[str, np.ndarray]
    grad: dict[str, np.ndarray]
    update: dict[str, np.ndarray]
    loss_before: float
    loss_after: float
    lr: float
    info: dict = field(default_factory=dict)  # the pair / cell: ids, words, labels, counts, ...


def _in_order(ids: np.ndarray) -> np.ndarray:
    return np.array(list(dict.fromkeys(int(i) for i in ids)), dtype=np.int64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


class _Stepper:
    """The bookkeeping both steppers share: the parameters, the step count and the loss history."""

    params: dict[str, np.ndarray]
    error = ValueError

    def __init__(self) -> None:
        self.steps = 0
        self.history: list[tuple[int, float, float]] = []  # (step, loss before, loss after)
        self.last: StepRecord | None = None

    def _record(self, kind: str, rows: dict, grad: dict, update: dict, before: float, lr: float, info: dict, loss):
        """Apply `update` to `rows`, recompute the loss, record the step; a step whose loss or new values are not
        finite is undone and refused (the page asks for a lower learning rate)."""
        old = {name: self.params[name][idx].copy() for name, idx in rows.items()}
        new = {name: old[name] + update[name] for name in rows}
        after = None
        if np.isfinite(before) and all(np.isfinite(v).all() for v in new.values()):
            for name, idx in rows.items():
                self.params[name][idx] = new[name]
            after = float(loss())
        if after is None or not np.isfinite(after):
            for name, idx in rows.items():
                self.params[name][idx] = old[name]
            raise self.error("diverged", "the loss or the parameters are not finite: lower the learning rate")
        self.steps += 1
        rec = StepRecord(self.steps, kind, rows, old, new, grad, update, before, after, lr, info)
        self.history = (self.history + [(self.steps, before, after)])[-HISTORY:]
        self.last = rec
        return rec

    def step(self) -> StepRecord:
        """One update (numpy's overflow warnings silenced: a diverging step is refused instead)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._step()

    def run(self, n: int) -> StepRecord | None:
        """n steps; the last record (None for n = 0)."""
        for _ in range(max(int(n), 0)):
            self.step()
        return self.last

    def _step(self) -> StepRecord:  # pragma: no cover - each stepper defines it
        raise NotImplementedError


class Word2VecStepper(_Stepper):
    """Skip-gram, one (centre, context) pair per step, NS (cfg.hs False) or HS (cfg.hs True), constant cfg.lr.

    Starts from the weights engine.embeddings.word2vec.Word2Vec(cfg, vocab) starts from (W_in uniform ±0.5/d,
    W_out zero, as word2vec.c); `zero_output=False` draws W_out like W_in instead, so that the first steps also
    move the input rows. cfg.sample, epochs and batch_size are not used here."""

    error = Word2VecInputError

    def __init__(self, data: Word2VecData, cfg: Word2VecConfig, *, zero_output: bool = True):
        super().__init__()
        cfg.validate()
        model = Word2Vec(replace(cfg, sg=True), data.vocab)
        self.cfg, self.data, self.vocab = cfg, data, data.vocab
        self.tree = model.tree if cfg.hs else None
        self.rng = np.random.default_rng(cfg.seed)
        W_in = model.emb_in.weight.detach().numpy().astype(np.float64)
        W_out = model.emb_out.weight.detach().numpy().astype(np.float64)
        if not zero_output:
            W_out = (self.rng.random(W_out.shape) - 0.5) / cfg.dim
        self.params = {"W_in": W_in, "W_out": W_out}
        self.sampler = None if cfg.hs else NegativeSampler(data.vocab.counts, cfg.ns_exponent, TABLE_SIZE, self.rng)
        self.epoch, self._order, self._sent, self._pos, self._queue = 0, np.arange(0), 0, -1, []

    def _next_pair(self) -> tuple[int, int, int, int]:
        """(sentence, centre position, context position, epoch): word2vec.c's walk through the shuffled corpus."""
        while not self._queue:
            self._pos += 1
            if self._sent >= self._order.size or self._pos >= self.data.sentences[self._order[self._sent]].size:
                self._sent, self._pos = self._sent + 1, 0
                if self._sent >= self._order.size:
                    self._order, self._sent = self.rng.permutation(len(self.data.sentences)), 0
                    self.epoch += 1
            n = self.data.sentences[self._order[self._sent]].size
            b = self.cfg.window - int(self.rng.integers(0, self.cfg.window))  # span 1..window
            self._queue = [p for p in range(self._pos - b, self._pos + b + 1) if p != self._pos and 0 <= p < n]
        return int(self._order[self._sent]), self._pos, self._queue.pop(0), self.epoch

    def outputs(self, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(output rows, labels, mask) for one target: NS draws the negatives here."""
        if self.tree is not None:
            pts = self.tree.points[target].astype(np.int64)
            return pts, 1.0 - self.tree.codes[target].astype(np.float64), np.ones(pts.size)
        neg = self.sampler.draw(self.cfg.negative)
        out = np.r_[target, neg].astype(np.int64)
        return out, np.r_[1.0, np.zeros(neg.size)], np.r_[1.0, (neg != target).astype(np.float64)]

    def loss(self, x: int, out: np.ndarray, labels: np.ndarray, mask: np.ndarray) -> float:
        """Σ mask · BCE-with-logits(u_kᵀh, label) with h = W_in[x], at the current parameters."""
        z = self.params["W_out"][out] @ self.params["W_in"][x]
        return float((mask * (np.logaddexp(0.0, z) - labels * z)).sum())

    def gradients(self, x: int, out: np.ndarray, labels: np.ndarray, mask: np.ndarray):
        """(∇ of the loss w.r.t. W_in[x] (1, d), the touched output rows, ∇ w.r.t. them (m, d), z, σ(z))."""
        h, U = self.params["W_in"][x], self.params["W_out"][out]
        z = U @ h
        s = _sigmoid(z)
        gz = mask * (s - labels)  # dLoss/dz per output row used
        used = out[mask > 0]
        rows = _in_order(used)
        g_out = np.zeros((rows.size, h.size))
        where = {int(r): n for n, r in enumerate(rows)}
        np.add.at(g_out, [where[int(u)] for u in used], gz[mask > 0, None] * h)  # a repeated negative adds up
        return (gz @ U)[None, :], rows, g_out, z, s

    def _step(self) -> StepRecord:
        sent, centre, ctx, epoch = self._next_pair()
        words = self.data.sentences[sent]
        x, y = int(words[ctx]), int(words[centre])  # input: the context word; target: the centre word
        out, labels, mask = self.outputs(y)
        g_in, rows, g_out, z, s = self.gradients(x, out, labels, mask)
        before = self.loss(x, out, labels, mask)
        lr = self.cfg.lr
        rows_ = {"W_in": np.array([x]), "W_out": rows}
        info = {
            "sentence": sent,
            "epoch": epoch,
            "centre_pos": centre,
            "context_pos": ctx,
            "centre": y,
            "context": x,
            "out": out,
            "labels": labels,
            "mask": mask,
            "z_before": z,
            "sigma_before": s,
        }
        rec = self._record(
            "hs" if self.tree is not None else "ns",
            rows_,
            {"W_in": g_in, "W_out": g_out},
            {"W_in": -lr * g_in, "W_out": -lr * g_out},
            before,
            lr,
            info,
            lambda: self.loss(x, out, labels, mask),
        )
        z_after = self.params["W_out"][out] @ self.params["W_in"][x]
        info.update(z_after=z_after, sigma_after=_sigmoid(z_after))
        return rec

    def row_label(self, name: str, row: int) -> str:
        """A word for W_in rows and NS output rows; "node n" for HS output rows (internal Huffman nodes)."""
        if name == "W_out" and self.tree is not None:
            return f"node {row}"
        return self.vocab.itos[row]


class GloveStepper(_Stepper):
    """GloVe, one non-zero X_ij per step, AdaGrad as glove.c (and engine.embeddings.glove.adagrad_step). Starts
    from the weights engine.embeddings.glove.GloVe(V, cfg.dim, cfg.seed) starts from."""

    error = GloveInputError

    def __init__(self, counts: Counts, cfg: GloveConfig):
        super().__init__()
        cfg.validate()
        pairs = counts.pairs
        if len(pairs) == 0:
            raise GloveInputError("no_pairs", "no two known words ever share a window")
        self.cfg, self.counts, self.vocab, self.pairs = cfg, counts, counts.vocab, pairs
        model = GloVe(len(counts.vocab), cfg.dim, cfg.seed)
        self.params = {
            n: p.detach().numpy().astype(np.float64).reshape(p.shape[0], -1) for n, p in model.named_parameters()
        }
        self.gradsq = {n: np.ones_like(p) for n, p in self.params.items()}  # AdaGrad's G, starting at 1
        self.rng = np.random.default_rng(cfg.seed)
        self.epoch, self._order, self._cursor = 0, np.arange(0), 0

    def _next_cell(self) -> tuple[int, int, float, int]:
        if self._cursor >= self._order.size:
            self._order, self._cursor = self.rng.permutation(len(self.pairs)), 0
            self.epoch += 1
        k = int(self._order[self._cursor])
        self._cursor += 1
        return int(self.pairs.rows[k]), int(self.pairs.cols[k]), float(self.pairs.vals[k]), k

    def loss(self, i: int, j: int, x: float) -> float:
        """½ f(x) (w_iᵀw̃_j + b_i + b̃_j − log x)² at the current parameters (glove.c's cost of one cell)."""
        return 0.5 * weighting(x, self.cfg.x_max, self.cfg.alpha) * self.diff(i, j, x) ** 2

    def diff(self, i: int, j: int, x: float) -> float:
        p = self.params
        return float(p["w"][i] @ p["w_ctx"][j] + p["b"][i, 0] + p["b_ctx"][j, 0] - np.log(x))

    def gradients(self, i: int, j: int, x: float) -> dict[str, np.ndarray]:
        """∇ of the cell's cost: f·diff·w̃_j, f·diff·w_i, f·diff, f·diff (each (1, ·))."""
        g = weighting(x, self.cfg.x_max, self.cfg.alpha) * self.diff(i, j, x)
        p = self.params
        return {
            "w": g * p["w_ctx"][j][None],
            "w_ctx": g * p["w"][i][None],
            "b": np.array([[g]]),
            "b_ctx": np.array([[g]]),
        }

    def _step(self) -> StepRecord:
        i, j, x, k = self._next_cell()
        before = self.loss(i, j, x)
        grad = self.gradients(i, j, x)
        rows = {"w": np.array([i]), "w_ctx": np.array([j]), "b": np.array([i]), "b_ctx": np.array([j])}
        lr = self.cfg.lr
        G = {n: self.gradsq[n][rows[n]].copy() for n in rows}
        update = {n: -lr * grad[n] / np.sqrt(G[n]) for n in rows}
        info = {
            "i": i,
            "j": j,
            "x": x,
            "cell": k,
            "epoch": self.epoch,
            "f": float(weighting(x, self.cfg.x_max, self.cfg.alpha)),
            "log_x": float(np.log(x)),
            "pred_before": self.diff(i, j, x) + float(np.log(x)),
            "gradsq_before": G,
        }
        rec = self._record("glove", rows, grad, update, before, lr, info, lambda: self.loss(i, j, x))
        for n in rows:  # glove.c: the accumulators grow after the step, by the squared step
            self.gradsq[n][rows[n]] += (lr * grad[n]) ** 2
        info["pred_after"] = self.diff(i, j, x) + float(np.log(x))
        return rec

    def row_label(self, name: str, row: int) -> str:
        return self.vocab.itos[row]
