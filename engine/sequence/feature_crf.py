"""A feature-rich linear-chain CRF in NumPy, trained like CRFsuite: L-BFGS on the L2-regularised log-likelihood.

    score(x, y) = start[y_1] + Σ_t W[attributes(x, t), y_t] + Σ_t trans[y_{t-1}, y_t] + end[y_n]
    P(y | x)    = exp score(x, y) / Z(x),      Z(x) = Σ_y' exp score(x, y')   (one global normalisation)

Attributes come from character templates (engine/sequence/features.py): each position has one attribute per
template (C0=京, C-1C0=北京, …), a state feature is an (attribute, tag) pair with weight W[a, y]; emissions are the
sparse product X @ W. The objective is CRFsuite's:

    f(θ) = Σ_i [ log Z(x_i) - score(x_i, y_i) ] + c2 · ||θ||²,       ∇f = E_model[features] - counts + 2 c2 θ

with the expectations from the forward-backward algorithm. Both passes run over all sentences at once in a
time-major layout (sentences sorted by length, so the ones still running at time t are a prefix) with per-position
scaling in probability space: log Z = Σ_t log c_t. Decoding is Viterbi, vectorised the same way.

As in CRFsuite (its defaults feature.possible_states = feature.possible_transitions = 0), only the (attribute, tag)
pairs and the moves seen in the training data have a weight unless `possible_states` / `possible_transitions`.
Unlike CRFsuite, the BMES grammar can be imposed (`grammar`: forbidden moves have probability 0, and so never appear
in a decoded path) and start / end weights can be learnt (`boundary`); `grammar=False, boundary=False` is the exact
model CRFsuite trains, with the same possible_* options (tests/engine/sequence/test_feature_crf.py compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from engine.core.config import Checked, finite, integer
from engine.core.errors import InputError
from engine.core.train import Progress
from engine.sequence import lbfgs
from engine.sequence.features import CHAR_TEMPLATES, Batch, FeatureIndex, Template

TAGS = "BMES"


class CRFInputError(InputError):
    """Settings or data the feature CRF / MEMM cannot train with; `.code` names the reason."""


@dataclass(frozen=True)
class FeatureCRFConfig(Checked):
    """CRFsuite's settings by default (L-BFGS, c2 = 1, 6 memories, epsilon = delta = 1e-5 over 10 iterations)."""

    error = CRFInputError
    c2: float = 1.0
    max_iterations: int = 100
    memory: int = 6
    epsilon: float = 1e-5
    delta: float = 1e-5
    period: int = 10
    templates: tuple[Template, ...] = CHAR_TEMPLATES
    min_count: int = 1  # attributes seen fewer times in training get no weight
    possible_states: bool = False  # weights for (attribute, tag) pairs never seen together too
    possible_transitions: bool = False  # weights for (allowed) moves never seen in training too
    grammar: bool = True  # the BMES grammar (only with TAGS = "BMES")
    boundary: bool = True  # start and end weights
    seed: int = 0  # nothing is random (θ starts at 0); kept for the config contract

    def checks(self):
        yield finite(self.c2) and 0 <= self.c2 <= 1e6, "c2", f"c2 must be in [0, 1e6], got {self.c2}"
        yield (
            integer(self.max_iterations) and 1 <= self.max_iterations <= 10_000,
            "iterations",
            ("max_iterations must be between 1 and 10000"),
        )
        yield integer(self.memory) and 1 <= self.memory <= 100, "memory", "memory must be between 1 and 100"
        yield (
            finite(self.epsilon) and finite(self.delta) and self.epsilon >= 0 and self.delta >= 0,
            "tolerance",
            ("epsilon and delta must be >= 0"),
        )
        yield integer(self.period) and self.period >= 1, "period", "period must be at least 1"
        yield integer(self.min_count) and self.min_count >= 1, "min_count", "min_count must be at least 1"
        yield bool(self.templates), "templates", "at least one template"


def bmes_grammar() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from engine.sequence.hmm import ALLOWED, END_ALLOWED, START_ALLOWED

    return ALLOWED.copy(), START_ALLOWED.copy(), END_ALLOWED.copy()


def tag_ids(tags: Sequence[str], names: str = TAGS) -> np.ndarray:
    """All tag strings concatenated as ids (the sentence-major order of a Batch)."""
    lut = np.full(128, -1, dtype=np.int64)
    for i, c in enumerate(names):
        lut[ord(c)] = i
    raw = np.frombuffer("".join(tags).encode("ascii"), dtype=np.uint8)
    ids = lut[raw]
    if np.any(ids < 0):
        raise CRFInputError("tags", f"tags must be letters of {names!r}")
    return ids


# ---------------------------------------------------------------- dynamic programmes (time-major, all sentences)
def _exp_shift(a: np.ndarray) -> tuple[np.ndarray, float]:
    """exp(a - max finite a) (0 where a = -inf) and that max."""
    finite_a = a[np.isfinite(a)]
    m = float(finite_a.max()) if finite_a.size else 0.0
    with np.errstate(under="ignore"):
        return np.exp(a - m), m


def forward_backward(em: np.ndarray, b: Batch, log_start: np.ndarray, log_trans: np.ndarray, log_end: np.ndarray):
    """em (P, K) time-major emissions. Returns log Z (N, in b.order), the marginals (P, K) time-major, the expected
    transition counts (K, K) and the expected start / end counts (K,), summed over all sentences."""
    counts, offsets = b.counts, b.offsets
    P, K = em.shape
    N, T = len(b.order), len(counts)
    m = em.max(1, keepdims=True)
    E = np.exp(em - m)
    expT, mT = _exp_shift(log_trans)
    expS, mS = _exp_shift(log_start)
    expE, mE = _exp_shift(log_end)
    alpha = np.empty((P, K))
    c = np.empty(P)
    n0 = counts[0]
    a = E[:n0] * expS
    c[:n0] = a.sum(1)
    alpha[:n0] = a / c[:n0, None]
    for t in range(1, T):
        o, n, po = offsets[t], counts[t], offsets[t - 1]
        a = (alpha[po : po + n] @ expT) * E[o : o + n]
        c[o : o + n] = s = a.sum(1)
        alpha[o : o + n] = a / s[:, None]
    lengths = b.lengths[b.order]
    rank = np.arange(P) - np.repeat(offsets, counts)
    last = offsets[lengths - 1] + np.arange(N)
    with np.errstate(divide="ignore"):
        z_end = alpha[last] @ expE
        log_z = np.bincount(rank, np.log(c) + m[:, 0], minlength=N) + np.log(z_end) + mS + mE + (lengths - 1) * mT
    beta = np.empty((P, K))
    with np.errstate(divide="ignore", invalid="ignore"):
        beta[last] = expE[None] / z_end[:, None]
    for t in range(T - 1, 0, -1):
        o, n, po = offsets[t], counts[t], offsets[t - 1]
        beta[po : po + n] = ((E[o : o + n] * beta[o : o + n]) @ expT.T) / c[o : o + n, None]
    gamma = alpha * beta
    cur = np.arange(n0, P)
    prev = cur - np.repeat(offsets[1:] - offsets[:-1], counts[1:]) if T > 1 else cur
    nxt = E[cur] * beta[cur] / c[cur, None]
    xi = (alpha[prev].T @ nxt) * expT
    return log_z, gamma, xi, gamma[:n0].sum(0), gamma[last].sum(0)


def viterbi(em: np.ndarray, b: Batch, log_start: np.ndarray, log_trans: np.ndarray, log_end: np.ndarray):
    """Best tag per position (P,) in sentence-major order and its score per sentence (N, in b.order). Ties go to
    the lowest tag id (CRFsuite's rule). log_trans (K, K), or (P, K, K) time-major: a move's score into each slot
    (the MEMM's local log-probabilities)."""
    counts, offsets = b.counts, b.offsets
    P, K = em.shape
    N, T = len(b.order), len(counts)
    delta = np.empty((P, K))
    back = np.zeros((P, K), dtype=np.int8)
    delta[: counts[0]] = log_start + em[: counts[0]]
    for t in range(1, T):
        o, n, po = offsets[t], counts[t], offsets[t - 1]
        s = delta[po : po + n, :, None] + (log_trans[o : o + n] if log_trans.ndim == 3 else log_trans[None])
        arg = s.argmax(1)
        back[o : o + n] = arg
        delta[o : o + n] = np.take_along_axis(s, arg[:, None, :], 1)[:, 0] + em[o : o + n]
    lengths = b.lengths[b.order]
    last = offsets[lengths - 1] + np.arange(N)
    final = delta[last] + log_end
    best = final.argmax(1)
    score = final[np.arange(N), best]
    out = np.empty(P, dtype=np.int64)
    cur = np.zeros(N, dtype=np.int64)
    for t in range(T - 1, -1, -1):
        o, n = offsets[t], counts[t]
        ends = counts[t + 1] if t + 1 < T else 0  # sentences whose last position is t: ranks ends … n - 1
        cur[ends:n] = best[ends:n]
        out[o : o + n] = cur[:n]
        if t > 0:
            cur[:n] = back[o : o + n][np.arange(n), cur[:n]]
    tags = np.empty(P, dtype=np.int64)
    tags[b.tm] = out
    return tags, score


# ---------------------------------------------------------------- the model
class FeatureCRF:
    """W (A, K) state weights, trans (K, K) from-row to-column, start / end (K,). Forbidden moves (the grammar) are
    -inf in the potentials. `slots`: which entries are free parameters (the vector L-BFGS sees)."""

    kind = "crf"

    def __init__(self, index: FeatureIndex, tags: str = TAGS, cfg: FeatureCRFConfig = FeatureCRFConfig()):
        K = len(tags)
        self.index, self.tag_names, self.cfg = index, tags, cfg
        self.W = np.zeros((max(index.n_attributes, 1), K))
        self.trans = np.zeros((K, K))
        self.start = np.zeros(K)
        self.end = np.zeros(K)
        if cfg.grammar:
            if tags != TAGS:
                raise CRFInputError("grammar", "the BMES grammar needs the tags 'BMES'")
            self.allowed, self.start_allowed, self.end_allowed = bmes_grammar()
        else:
            self.allowed, self.start_allowed, self.end_allowed = (
                np.ones((K, K), bool),
                np.ones(K, bool),
                np.ones(K, bool),
            )
        self.stopped_by = ""  # why training stopped (lbfgs.Iteration.converged), "" before the end
        # free parameters: narrowed to the pairs / moves seen in training by `train_feature_crf` (unless possible_*)
        self.w_slots = np.arange(self.W.size)
        self.t_slots = np.flatnonzero(self.allowed.ravel())

    # ---------------------------------------------------------- parameters as one vector
    def _slot_masks(self):
        free_se = self.cfg.boundary
        return (
            self.t_slots,
            np.flatnonzero(self.start_allowed) if free_se else np.zeros(0, np.int64),
            np.flatnonzero(self.end_allowed) if free_se else np.zeros(0, np.int64),
        )

    def get_theta(self) -> np.ndarray:
        ts, ss, es = self._slot_masks()
        return np.concatenate([self.W.ravel()[self.w_slots], self.trans.ravel()[ts], self.start[ss], self.end[es]])

    def set_theta(self, theta: np.ndarray) -> None:
        ts, ss, es = self._slot_masks()
        parts = np.split(theta, np.cumsum([len(self.w_slots), len(ts), len(ss)]))
        self.W.ravel()[self.w_slots] = parts[0]
        self.trans.ravel()[ts] = parts[1]
        self.start[ss] = parts[2]
        self.end[es] = parts[3]

    def pack(self, gW: np.ndarray, gT: np.ndarray, gS: np.ndarray, gE: np.ndarray) -> np.ndarray:
        ts, ss, es = self._slot_masks()
        return np.concatenate([gW.ravel()[self.w_slots], gT.ravel()[ts], gS[ss], gE[es]])

    def potentials(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """log start, log transitions, log end with -inf where the grammar forbids."""
        return (
            np.where(self.start_allowed, self.start, -np.inf),
            np.where(self.allowed, self.trans, -np.inf),
            np.where(self.end_allowed, self.end, -np.inf),
        )

    # ---------------------------------------------------------- inference
    def emissions(self, b: Batch) -> np.ndarray:
        """(P, K) sentence-major Σ of the state weights of each position's attributes."""
        return np.asarray(b.X @ self.W)

    def log_partition(self, texts: Sequence[str]) -> np.ndarray:
        b = self.index.transform(texts)
        log_z = np.empty(len(texts))
        log_z[b.order] = forward_backward(self.emissions(b)[b.tm], b, *self.potentials())[0]
        return log_z

    def marginals(self, text: str) -> np.ndarray:
        """(n, K) P(y_t = k | x)."""
        b = self.index.transform([text])
        return forward_backward(self.emissions(b)[b.tm], b, *self.potentials())[1]

    def score(self, text: str, path: Sequence[int]) -> float:
        em = self.emissions(self.index.transform([text]))
        s, t, e = self.potentials()
        v = s[path[0]] + e[path[-1]] + sum(em[i, y] for i, y in enumerate(path))
        return float(v + sum(t[a, c] for a, c in zip(path, path[1:])))

    def path_logprob(self, text: str, path: Sequence[int]) -> float:
        """log P(path | text) = score - log Z."""
        return self.score(text, path) - float(self.log_partition([text])[0])

    def predict(self, texts: Sequence[str]) -> list[list[int]]:
        """Viterbi path per text (an empty text gives [])."""
        keep = [i for i, s in enumerate(texts) if s]
        out: list[list[int]] = [[] for _ in texts]
        if not keep:
            return out
        b = self.index.transform([texts[i] for i in keep])
        tags, _ = viterbi(self.emissions(b)[b.tm], b, *self.potentials())
        for i, piece in zip(keep, np.split(tags, np.cumsum(b.lengths)[:-1])):
            out[i] = piece.tolist()
        return out

    # ---------------------------------------------------------- training objective
    def objective(self, b: Batch, y: np.ndarray, observed: np.ndarray):
        """(f, ∇f) at the current parameters for the batch with gold tags y (sentence-major)."""
        em = self.emissions(b)
        log_z, gamma_tm, xi, s_exp, e_exp = forward_backward(em[b.tm], b, *self.potentials())
        gamma = np.empty_like(gamma_tm)
        gamma[b.tm] = gamma_tm
        gW = np.asarray(b.X.T @ gamma)
        theta = self.get_theta()
        grad = self.pack(gW, xi, s_exp, e_exp) - observed + 2 * self.cfg.c2 * theta
        f = float(log_z.sum()) - lbfgs.dot(theta, observed) + self.cfg.c2 * lbfgs.dot(theta, theta)
        return f, grad


def observed_counts(model, b: Batch, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Feature counts on the gold paths: W (A, K), transitions (K, K), start (K,), end (K,)."""
    K = len(model.tag_names)
    Y = np.zeros((len(y), K))
    Y[np.arange(len(y)), y] = 1.0
    first, last = b.first_rows(), b.last_rows()
    inner = np.ones(len(y), bool)
    inner[last] = False  # a row followed by a row of the same sentence
    pairs = y[:-1][inner[:-1]] * K + y[1:][inner[:-1]]
    trans = np.bincount(pairs, minlength=K * K).reshape(K, K).astype(float)
    return (
        np.asarray(b.X.T @ Y),
        trans,
        np.bincount(y[first], minlength=K).astype(float),
        np.bincount(y[last], minlength=K).astype(float),
    )


def prepare(data: Sequence[tuple[str, str]], cfg: FeatureCRFConfig):
    """(texts, BMES tag strings) -> the fitted FeatureIndex, the training Batch and the gold tag ids."""
    data = [(c, t) for c, t in data if c]
    if not data:
        raise CRFInputError("empty", "no training sentences")
    if any(len(c) != len(t) for c, t in data):
        raise CRFInputError("tags", "every sentence needs one tag per character")
    index = FeatureIndex(cfg.templates, cfg.min_count)
    b = index.fit_transform([c for c, _ in data])
    return index, b, tag_ids([t for _, t in data])


def _check_gold(model, b: Batch, y: np.ndarray, obs) -> None:
    _, trans, start, end = obs
    if np.any(trans[~model.allowed]) or np.any(start[~model.start_allowed]) or np.any(end[~model.end_allowed]):
        raise CRFInputError("grammar", "a gold tag sequence breaks the BMES grammar")


def train_feature_crf(model: FeatureCRF, b: Batch, y: np.ndarray, cfg: FeatureCRFConfig) -> Iterator[Progress]:
    """L-BFGS from θ = 0; one Progress per iteration (after iteration 0, the starting point): loss = f / characters,
    metrics {"loglik": Σ log P(y_i | x_i), "gnorm": ||∇f||, "evaluations": objective evaluations so far}. The model
    holds the latest accepted θ after every step (a stopped run keeps a usable model)."""
    cfg.validate()
    obs = observed_counts(model, b, y)
    _check_gold(model, b, y, obs)
    if not cfg.possible_states:
        model.w_slots = np.flatnonzero(obs[0].ravel() > 0)
    if not cfg.possible_transitions:
        model.t_slots = np.flatnonzero(model.allowed.ravel() & (obs[1].ravel() > 0))
    observed = model.pack(*obs)
    n = b.n_positions

    def fg(theta):
        model.set_theta(theta)
        return model.objective(b, y, observed)

    steps = lbfgs.minimize_with(fg, model.get_theta(), cfg)
    for it in lbfgs.one_blas_thread(steps):
        model.set_theta(it.x)
        reg = cfg.c2 * lbfgs.dot(it.x, it.x)
        model.stopped_by = it.converged
        metrics = {"loglik": -(it.f - reg), "gnorm": it.gnorm, "evaluations": it.evaluations}
        yield Progress(it.k, cfg.max_iterations, it.f / n, metrics)


def fit(data: Sequence[tuple[str, str]], cfg: FeatureCRFConfig = FeatureCRFConfig()) -> FeatureCRF:
    """Train to the end (tests, benchmarks): data = (characters, BMES tags) per sentence."""
    index, b, y = prepare(data, cfg)
    model = FeatureCRF(index, TAGS, cfg)
    for _ in train_feature_crf(model, b, y, cfg):
        pass
    return model
