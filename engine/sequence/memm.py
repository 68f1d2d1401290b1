"""The maximum-entropy Markov model (MEMM) and its label-bias problem.

An MEMM normalises each step on its own:  P(y | x) = Π_t exp F(y_{t-1}, y_t, x) / Z_t(y_{t-1}, x),
with Z_t = Σ_{y'} exp F(y_{t-1}, y', x) (local normalisation). A CRF uses the same scores but one global
Z(x) = Σ_{all paths} Π_t exp F. A state with few successors passes its whole probability mass on whatever the
observation says (its local Z makes the outgoing probabilities sum to 1): paths through low-out-degree states are
favoured — label bias.

Three things live here:
(a) lattices as data (weights per step, states × states): the classic interview figure and a shared-potential
    lattice on which the same exp F picks 1-1-1-1 under local and 2-2-2-2 under global normalisation;
    `enumerate_paths` lists every path with its probability, `best_path` is the dynamic-programming answer;
(b) a trainable MEMM tagger (softmax per step over features of the current characters and the previous tag),
    with the same features as engine/sequence/crf.py's CRFTagger, so only the normalisation differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn as nn

from engine.core.seeding import generator
from engine.core.train import Progress
from engine.sequence import feature_crf as F
from engine.sequence import lbfgs
from engine.sequence.crf import FORBIDDEN, CharFeatures, encode_batch


# ---------------------------------------------------------------- (a) lattices
@dataclass(frozen=True)
class Lattice:
    """weights (steps - 1, S, S): weights[t, i, j] >= 0 for the move state i (step t+1) -> state j (step t+2).
    For the MEMM they are normalised per row; for the CRF they are the potentials exp F.
    start (S,): weight of each first state. `given_start`: MEMM path probabilities are conditional on the
    first state (the classic figure's convention) instead of multiplying by start / Σ start."""

    weights: np.ndarray
    start: np.ndarray = field(default=None)  # type: ignore[assignment]
    given_start: bool = False

    def __post_init__(self):
        w = np.asarray(self.weights, dtype=float)
        object.__setattr__(self, "weights", w)
        s = np.ones(w.shape[1]) if self.start is None else np.asarray(self.start, dtype=float)
        object.__setattr__(self, "start", s)

    @property
    def n_states(self) -> int:
        return self.weights.shape[1]

    @property
    def n_steps(self) -> int:
        return self.weights.shape[0] + 1


def check_lattice(weights: np.ndarray) -> list[str]:
    """Problems with user-edited weights, as stable codes for i18n messages: 'empty', 'not_finite', 'negative'
    (fatal); 'zero_row' (a state with no way out: paths through it get 0), 'not_normalised' (MEMM rows are
    renormalised) (warnings)."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 3 or w.size == 0 or w.shape[1] != w.shape[2]:
        return ["empty"]
    issues = []
    if not np.all(np.isfinite(w)):
        return ["not_finite"]
    if np.any(w < 0):
        return ["negative"]
    sums = w.sum(axis=2)
    if np.any(sums == 0):
        issues.append("zero_row")
    if np.any((sums > 0) & ~np.isclose(sums, 1.0)):
        issues.append("not_normalised")
    return issues


def memm_probs(lat: Lattice) -> np.ndarray:
    """(steps - 1, S, S) locally normalised P(j | i) per step; a row with no weight stays 0."""
    sums = lat.weights.sum(axis=2, keepdims=True)
    return np.divide(lat.weights, sums, out=np.zeros_like(lat.weights), where=sums > 0)


def _start_probs(lat: Lattice) -> np.ndarray:
    if lat.given_start:
        return np.ones(lat.n_states)
    return lat.start / lat.start.sum() if lat.start.sum() > 0 else np.zeros(lat.n_states)


def path_value(lat: Lattice, path: Sequence[int], mode: str) -> float:
    """MEMM: probability of the path. CRF: its unnormalised score Π exp F (divide by `partition` for P)."""
    if mode == "memm":
        p, v = memm_probs(lat), _start_probs(lat)[path[0]]
    else:
        p, v = lat.weights, lat.start[path[0]]
    for t in range(1, len(path)):
        v *= p[t - 1, path[t - 1], path[t]]
    return float(v)


def partition(lat: Lattice) -> float:
    """CRF's Z = Σ over all paths of Π exp F, by the forward recursion (start · W_1 · W_2 ⋯ · 1)."""
    alpha = lat.start.copy()
    for w in lat.weights:
        alpha = alpha @ w
    return float(alpha.sum())


def enumerate_paths(lat: Lattice, mode: str, top: int | None = None) -> list[tuple[tuple[int, ...], float, float]]:
    """Every path (0-based states) with (value, probability), best first: MEMM value = probability;
    CRF value = score Π exp F and probability = score / Z. Brute force: the S^n products are built as one
    n-dimensional outer product (S = 6, n = 6 is 46,656 paths). Ties keep lexicographic order."""
    if mode not in ("memm", "crf"):
        raise ValueError(mode)
    p = memm_probs(lat) if mode == "memm" else lat.weights
    v = _start_probs(lat) if mode == "memm" else lat.start.copy()
    for w in p:  # v[s1, ..., st] * w[st, s_{t+1}]
        v = v[..., None] * w.reshape((1,) * (v.ndim - 1) + w.shape)
    flat = v.reshape(-1)
    z = float(flat.sum()) if mode == "crf" else 1.0
    order = np.argsort(-flat, kind="stable")[:top]  # `top` best only, if given
    paths = np.stack(np.unravel_index(order, v.shape), axis=1)
    return [
        (tuple(int(s) for s in path), float(flat[i]), float(flat[i] / z) if z > 0 else 0.0)
        for path, i in zip(paths, order)
    ]


def best_path(lat: Lattice, mode: str) -> tuple[tuple[int, ...], float]:
    """Viterbi on the lattice (max-product); the first best path in lexicographic order on ties."""
    p = memm_probs(lat) if mode == "memm" else lat.weights
    delta = _start_probs(lat) if mode == "memm" else lat.start.copy()
    backs = []
    for w in p:
        scores = delta[:, None] * w  # (from, to)
        backs.append(np.argmax(scores, axis=0))
        delta = scores.max(axis=0)
    last = int(np.argmax(delta))
    path = [last]
    for b in reversed(backs):
        path.append(int(b[path[-1]]))
    return tuple(path[::-1]), float(delta[last])


def out_degree(lat: Lattice) -> np.ndarray:
    """(steps - 1, S) number of successors with a non-zero weight."""
    return (lat.weights > 0).sum(axis=2)


def resize(lat: Lattice, n_states: int, n_steps: int) -> Lattice:
    """The same lattice with `n_states` states and `n_steps` steps (both >= 2): kept cells keep their weights, a
    new state's row is uniform (1 / n_states to every state), existing rows get 0 towards new states (their
    out-degree is unchanged), extra steps repeat the last step."""
    if n_states < 2 or n_steps < 2:
        raise ValueError("a lattice needs at least 2 states and 2 steps")
    old = lat.weights
    k = min(n_states, lat.n_states)
    w = np.full((n_steps - 1, n_states, n_states), 1.0 / n_states)
    for t in range(n_steps - 1):
        src = old[min(t, len(old) - 1)]
        w[t, :k] = 0.0
        w[t, :k, :k] = src[:k, :k]
    start = np.ones(n_states)
    start[:k] = lat.start[:k]
    return Lattice(w, start, lat.given_start)


def classic_lattice() -> Lattice:
    """The widely reproduced label-bias figure: 5 states, 4 steps; rows of states 3-5 are not given: uniform.
    Paths: 1-1-1-1 = 1-1-1-2 = .4 · .45 · .5 = .09 (best), 1-1-2-2 = .066, 1-2-1-2 = .06, 2-2-2-2 = .018."""
    rows = {
        0: [[0.4, 0.6, 0, 0, 0], [0.45, 0.55, 0, 0, 0], [0.5, 0.5, 0, 0, 0]],
        1: [[0.2] * 5, [0.2, 0.3, 0.1, 0.1, 0.3], [0.1, 0.3, 0.2, 0.2, 0.2]],
    }
    w = np.full((3, 5, 5), 0.2)
    for state, per_step in rows.items():
        for t, row in enumerate(per_step):
            w[t, state] = row
    return Lattice(w, given_start=True)


def shared_potential_lattice() -> Lattice:
    """Same exp F for both models, uniform start: MEMM best 1-1-1-1 (.0198), CRF best 2-2-2-2 (343 / 10513.75)."""
    w = np.full((3, 5, 5), 2.0)  # states 3-5: exp F = 2 to any state
    for t, (a, b) in enumerate([(4, 6), (4.5, 5.5), (5.5, 4.5)]):
        w[t, 0] = [a, b, 0, 0, 0]
        w[t, 1] = [3.25, 7, 3.25, 3.25, 3.25]
    return Lattice(w)


# ---------------------------------------------------------------- (b) a trainable MEMM tagger
class MEMMTagger(nn.Module):
    """P(y_t | y_{t-1}, x) = softmax_j( transitions[y_{t-1}, j] + emissions_t[j] ) over the allowed j, where
    row `num_tags` of `transitions` is the start. Same features as CRFTagger; trained with gold previous tags.
    forward(x, mask, tags) -> (local log-probabilities (B, L, T) given the gold previous tags, mean nll)."""

    kind = "memm"

    def __init__(
        self,
        vocab: dict[str, int],
        tags: str | Sequence[str],
        window: int = 1,
        allowed=None,
        start_allowed=None,
        end_allowed=None,
        seed: int = 0,
    ):
        super().__init__()
        g = generator(seed)
        n = len(tags)
        self.vocab, self.tag_names, self.num_tags = vocab, tags, n
        self.features = CharFeatures(len(vocab), n, window, g)
        self.transitions = nn.Parameter(torch.empty(n + 1, n).uniform_(-0.1, 0.1, generator=g))
        allowed = torch.ones(n, n, dtype=torch.bool) if allowed is None else allowed
        start_allowed = torch.ones(n, dtype=torch.bool) if start_allowed is None else start_allowed
        self.register_buffer("allowed", torch.cat([allowed, start_allowed[None]], dim=0))  # (T + 1, T)
        self.register_buffer("end_allowed", torch.ones(n, dtype=torch.bool) if end_allowed is None else end_allowed)

    def local_log_probs(self, em: torch.Tensor) -> torch.Tensor:
        """em (B, L, T) -> (B, L, T + 1, T): log P(y_t = j | y_{t-1} = i, x) for every previous i (i = T: start)."""
        scores = self.transitions.masked_fill(~self.allowed, FORBIDDEN)[None, None] + em[:, :, None, :]
        return torch.log_softmax(scores, dim=-1)

    def forward(self, x, mask, tags=None):
        em = self.features(x)  # (B, L, T)
        logp = self.local_log_probs(em)  # (B, L, T + 1, T)
        if tags is None:
            return logp[:, :, -1], None
        prev = torch.cat([torch.full_like(tags[:, :1], self.num_tags), tags[:, :-1]], dim=1)  # (B, L)
        given_prev = torch.gather(logp, 2, prev[:, :, None, None].expand(-1, -1, 1, self.num_tags)).squeeze(2)
        nll = -torch.gather(given_prev, 2, tags[:, :, None]).squeeze(2)  # (B, L)
        return given_prev, (nll * mask).sum() / mask.sum()

    @torch.no_grad()
    def predict(self, texts: Sequence[str]) -> list[list[int]]:
        """Viterbi over the product of local probabilities (ending only in allowed final tags)."""
        out = []
        for s in texts:
            if not s:
                out.append([])
                continue
            x, _, mask = encode_batch([s], self.vocab)
            logp = self.local_log_probs(self.features(x))[0]  # (L, T + 1, T)
            delta = logp[0, -1]
            backs = []
            for t in range(1, len(s)):
                scores = delta[:, None] + logp[t, :-1]  # (from, to)
                delta, arg = scores.max(dim=0)
                backs.append(arg)
            delta = delta.masked_fill(~self.end_allowed, -torch.inf)
            tag = int(delta.argmax())
            path = [tag]
            for b in reversed(backs):
                tag = int(b[tag])
                path.append(tag)
            out.append(path[::-1])
        return out

    @torch.no_grad()
    def path_logprob(self, text: str, path: Sequence[int]) -> float:
        """log Π_t P(path_t | path_{t-1}, x)."""
        x, _, mask = encode_batch([text], self.vocab)
        _, loss = self(x, mask, torch.tensor([list(path)]))
        return float(-loss * len(text))


# ---------------------------------------------------------------- (c) the MEMM with the feature CRF's features
class FeatureMEMM:
    """P(y_t | y_{t-1}, x) = softmax_j( Σ W[attributes(x, t), j] + trans[y_{t-1}, j] ) over the allowed j, with
    row K of `trans` for the start; the attributes and the CRF's options are those of
    engine/sequence/feature_crf.py (same templates, same seen (attribute, tag) pairs, same c2 and L-BFGS), so
    beside FeatureCRF only the normalisation differs. Trained on the gold previous tags (a logistic regression per
    position); decoded by Viterbi over the product of the local probabilities, ending in an allowed tag."""

    kind = "memm"

    def __init__(self, index, tags: str = "BMES", cfg=None):
        cfg = cfg or F.FeatureCRFConfig()
        K = len(tags)
        self.index, self.tag_names, self.cfg = index, tags, cfg
        self.W = np.zeros((max(index.n_attributes, 1), K))
        self.trans = np.zeros((K + 1, K))
        if cfg.grammar:
            allowed, start, end = F.bmes_grammar()
        else:
            allowed, start, end = np.ones((K, K), bool), np.ones(K, bool), np.ones(K, bool)
        self.allowed = np.concatenate([allowed, start[None]], axis=0)  # (K + 1, K)
        self.end_allowed = end
        self.w_slots = np.arange(self.W.size)
        self.stopped_by = ""

    def get_theta(self) -> np.ndarray:
        return np.concatenate([self.W.ravel()[self.w_slots], self.trans[self.allowed]])

    def set_theta(self, theta: np.ndarray) -> None:
        n = len(self.w_slots)
        self.W.ravel()[self.w_slots] = theta[:n]
        self.trans[self.allowed] = theta[n:]

    def pack(self, gW: np.ndarray, gT: np.ndarray) -> np.ndarray:
        return np.concatenate([gW.ravel()[self.w_slots], gT[self.allowed]])

    def local_log_probs(self, em: np.ndarray) -> np.ndarray:
        """em (P, K) -> (P, K + 1, K): log P(y_t = j | y_{t-1} = i, x) for every previous i (i = K: the start)."""
        s = em[:, None, :] + np.where(self.allowed, self.trans, -np.inf)[None]
        m = s.max(2, keepdims=True)
        return s - (np.log(np.exp(s - m).sum(2, keepdims=True)) + m)

    def objective(self, b, y: np.ndarray, prev: np.ndarray, observed: np.ndarray):
        """(f, ∇f): Σ -log P(y_t | gold y_{t-1}, x) + c2 ||θ||²; `prev` (P,) the gold previous tag (K at a start)."""
        K = len(self.tag_names)
        s = np.asarray(b.X @ self.W) + np.where(self.allowed, self.trans, -np.inf)[prev]  # (P, K)
        m = s.max(1, keepdims=True)
        e = np.exp(s - m)
        z = e.sum(1, keepdims=True)
        p = e / z
        log_z = np.log(z[:, 0]) + m[:, 0]
        gW = np.asarray(b.X.T @ p)
        gT = np.zeros((K + 1, K))
        for j in range(K):
            gT[:, j] = np.bincount(prev, p[:, j], minlength=K + 1)
        theta = self.get_theta()
        f = float(log_z.sum()) - lbfgs.dot(theta, observed) + self.cfg.c2 * lbfgs.dot(theta, theta)
        return f, self.pack(gW, gT) - observed + 2 * self.cfg.c2 * theta

    def predict(self, texts: Sequence[str]) -> list[list[int]]:
        keep = [i for i, s in enumerate(texts) if s]
        out: list[list[int]] = [[] for _ in texts]
        if not keep:
            return out
        b = self.index.transform([texts[i] for i in keep])
        logp = self.local_log_probs(np.asarray(b.X @ self.W)[b.tm])  # time-major
        K = len(self.tag_names)
        em = np.zeros((len(logp), K))
        em[: b.counts[0]] = logp[: b.counts[0], K]  # the first step: P(y_1 | start, x)
        with np.errstate(divide="ignore"):
            tags, _ = F.viterbi(em, b, np.zeros(K), logp[:, :K], np.log(self.end_allowed.astype(float)))
        for i, piece in zip(keep, np.split(tags, np.cumsum(b.lengths)[:-1])):
            out[i] = piece.tolist()
        return out

    def path_logprob(self, text: str, path: Sequence[int]) -> float:
        """log Π_t P(path_t | path_{t-1}, x)."""
        b = self.index.transform([text])
        logp = self.local_log_probs(np.asarray(b.X @ self.W))
        prev = [len(self.tag_names), *path[:-1]]
        return float(sum(logp[t, i, j] for t, (i, j) in enumerate(zip(prev, path))))


def memm_observed(model: FeatureMEMM, b, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gold previous tag per position (K at a sentence start) and the gold feature counts (W, trans)."""
    K = len(model.tag_names)
    prev = np.concatenate([[K], y[:-1]])
    prev[b.first_rows()] = K
    Y = np.zeros((len(y), K))
    Y[np.arange(len(y)), y] = 1.0
    trans = np.bincount(prev * K + y, minlength=(K + 1) * K).reshape(K + 1, K).astype(float)
    return prev, np.asarray(b.X.T @ Y), trans


def train_feature_memm(model: FeatureMEMM, b, y: np.ndarray, cfg) -> Iterator[Progress]:
    """L-BFGS from θ = 0 with the CRF's settings; one Progress per iteration, loss = f / characters."""
    cfg.validate()
    prev, oW, oT = memm_observed(model, b, y)
    if np.any(oT[~model.allowed]):
        raise F.CRFInputError("grammar", "a gold tag sequence breaks the BMES grammar")
    if not cfg.possible_states:
        model.w_slots = np.flatnonzero(oW.ravel() > 0)
    observed = model.pack(oW, oT)

    def fg(theta):
        model.set_theta(theta)
        return model.objective(b, y, prev, observed)

    steps = lbfgs.minimize_with(fg, model.get_theta(), cfg)
    for it in lbfgs.one_blas_thread(steps):
        model.set_theta(it.x)
        model.stopped_by = it.converged
        yield Progress(
            it.k, cfg.max_iterations, it.f / b.n_positions, {"gnorm": it.gnorm, "evaluations": it.evaluations}
        )


def train_crf_and_memm(data: Sequence[tuple[str, str]], cfg=None):
    """A FeatureCRF and a FeatureMEMM on the same attributes (one FeatureIndex fitted on `data` = (characters, BMES
    tags) per sentence) and one generator that takes an L-BFGS iteration of each per step: loss = the CRF's
    objective per character, metrics {"memm": the MEMM's}. When one has stopped the other goes on (the stopped
    one's last value is repeated). Returns ([crf, memm], generator); both models hold their latest weights."""
    cfg = cfg or F.FeatureCRFConfig()
    index, b, y = F.prepare(data, cfg)
    crf, memm = F.FeatureCRF(index, F.TAGS, cfg), FeatureMEMM(index, F.TAGS, cfg)

    def steps() -> Iterator[Progress]:
        a, m = F.train_feature_crf(crf, b, y, cfg), train_feature_memm(memm, b, y, cfg)
        pa = pm = None
        while True:
            na, nm = next(a, None), next(m, None)
            if na is None and nm is None:
                return
            pa, pm = na or pa, nm or pm
            yield Progress(max(pa.step, pm.step), cfg.max_iterations, pa.loss, {"memm": pm.loss})

    return [crf, memm], steps()
