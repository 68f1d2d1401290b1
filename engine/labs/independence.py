"""MLM's independence assumption on two masked slots (bert-12, XLNet's criticism of BERT).

"[MASK] [MASK] is a city": BERT predicts each masked slot from the visible context only, so its best possible
guess for the pair is the *product* of the two per-slot marginals p(a)·q(b), while the true joint P(a, b) ties the
words together (New → York or Delhi, Los → Angeles). The information lost is exactly

    KL(P ‖ p⊗q) = Σ P(a,b) log P(a,b) / (p(a) q(b)) = I(A; B)   (the mutual information, in nats)

which is 0 only when the two words are independent. Sampling both slots from the product puts mass on pairs that
never occur ("New Angeles").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIRST = ("New", "Los", "San")
SECOND = ("York", "Delhi", "Orleans", "Angeles", "Francisco", "Diego")
# made-up counts of how often each city name follows "... is a city" in a toy corpus
CITY_COUNTS = {
    ("New", "York"): 40,
    ("New", "Delhi"): 12,
    ("New", "Orleans"): 8,
    ("Los", "Angeles"): 25,
    ("San", "Francisco"): 10,
    ("San", "Diego"): 5,
}


@dataclass(frozen=True)
class JointConfig:
    tie: float = 1.0  # 1: the city table; 0: the product of its marginals (independent); mixes in between
    new_york: float = 40.0  # count of "New York": moves the first word's marginal
    seed: int = 0


def city_joint(cfg: JointConfig) -> np.ndarray:
    """(len(FIRST), len(SECOND)) joint P(a, b). Mixing with the product of its own marginals keeps the
    marginals fixed, so `tie` changes only the dependence."""
    if not (0.0 <= cfg.tie <= 1.0) or not np.isfinite(cfg.new_york) or cfg.new_york < 0:
        raise ValueError("tie must be in [0, 1] and the count non-negative")
    counts = np.zeros((len(FIRST), len(SECOND)))
    for (a, b), c in CITY_COUNTS.items():
        counts[FIRST.index(a), SECOND.index(b)] = c
    counts[0, 0] = cfg.new_york
    if counts.sum() <= 0:
        raise ValueError("the table is empty")
    joint = counts / counts.sum()
    return cfg.tie * joint + (1.0 - cfg.tie) * product_of_marginals(joint)


def marginals(joint: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return joint.sum(1), joint.sum(0)


def product_of_marginals(joint: np.ndarray) -> np.ndarray:
    """What two independent per-slot predictions give at best: p(a)·q(b)."""
    p, q = marginals(joint)
    return np.outer(p, q)


def kl_to_product(joint: np.ndarray) -> float:
    """KL(P ‖ p⊗q) in nats, closed form (0·log 0 = 0)."""
    prod = product_of_marginals(joint)
    nz = joint > 0
    return float(np.sum(joint[nz] * np.log(joint[nz] / prod[nz])))


def city_mask() -> np.ndarray:
    """True where (a, b) is a real city of the table."""
    valid = np.zeros((len(FIRST), len(SECOND)), dtype=bool)
    for a, b in CITY_COUNTS:
        valid[FIRST.index(a), SECOND.index(b)] = True
    return valid


def impossible_mass(joint: np.ndarray, valid: np.ndarray | None = None) -> float:
    """Probability that independent per-slot sampling yields a pair outside `valid` (default: P(a, b) > 0),
    e.g. "New Angeles"."""
    valid = joint > 0 if valid is None else valid
    return float(product_of_marginals(joint)[~valid].sum())


def sample_independent(joint: np.ndarray, k: int, seed: int = 0) -> list[tuple[int, int]]:
    """k pairs drawn the MLM way: each slot from its own marginal, independently."""
    rng = np.random.default_rng(seed)
    p, q = marginals(joint)
    return list(zip(rng.choice(len(p), size=k, p=p).tolist(), rng.choice(len(q), size=k, p=q).tolist()))
