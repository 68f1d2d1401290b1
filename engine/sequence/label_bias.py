"""The rib / rob dataset of Lafferty, McCallum & Pereira (2001), where an MEMM provably suffers label bias.

Two words share their first and last letter. Each letter has its own state on its own branch:

    start ─r→ r1 ─i→ i1 ─b→ b1        ("rib", seen `n_rib` times)
    start ─r→ r2 ─o→ o2 ─b→ b2        ("rob", seen `n_rob` times, n_rob < n_rib)

Only the moves drawn are allowed, so r1 and i1 have a single successor. An MEMM normalises per state: P(i1 | r1, x)
is 1 whatever x says, so the second letter cannot change its mind and every "r?b" gets the path of the more
frequent word after the first step (P(r1 | r) = n_rib / (n_rib + n_rob)). A CRF normalises over whole paths: the
score of o under i1 drops and "rob" is tagged r2 o2 b2. (With a window of 0 the models see only the current
letter, as in the paper; seeing the next letter would hide the problem.)
"""

from __future__ import annotations

import torch

TAGS = ("r1", "i1", "b1", "r2", "o2", "b2")
WORDS = {"rib": (0, 1, 2), "rob": (3, 4, 5)}


def structure() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """allowed (T, T), start_allowed (T,), end_allowed (T,) as bool tensors."""
    n = len(TAGS)
    allowed = torch.zeros(n, n, dtype=torch.bool)
    for a, b in [(0, 1), (1, 2), (3, 4), (4, 5)]:
        allowed[a, b] = True
    start = torch.zeros(n, dtype=torch.bool)
    start[[0, 3]] = True
    end = torch.zeros(n, dtype=torch.bool)
    end[[2, 5]] = True
    return allowed, start, end


def make_dataset(n_rib: int = 60, n_rob: int = 40) -> list[tuple[str, tuple[int, ...]]]:
    """(word, gold tag ids) pairs, rib first (order does not matter: training shuffles with its own seed)."""
    if n_rib < 0 or n_rob < 0 or n_rib + n_rob == 0:
        raise ValueError("need at least one word")
    return [("rib", WORDS["rib"])] * n_rib + [("rob", WORDS["rob"])] * n_rob


def vocab() -> dict[str, int]:
    return {"<pad>": 0, "<unk>": 1, "r": 2, "i": 3, "o": 4, "b": 5}
