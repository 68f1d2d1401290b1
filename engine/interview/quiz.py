"""The quiz's choices in a seeded order that gives nothing away.

    quiz_choices("w2v-01", 1, seed=1234, lang="zh") -> (["...", "...", "..."], 2)   # choices as shown, index of the answer

The answer files (assets/qa/<lang>/*.toml) list each item's choices in writing order, with the right one wherever the
author put it. The app never shows that order. For one seed (a learner's, or a teacher's to replay a room) the whole
bank is dealt at once:

- the bank's items are shuffled by a generator seeded from the seed;
- walking that order, each item's answer goes to the position that has held the answer least often so far among the
  same chapter's items with the same number of choices, then among the whole bank's (ties broken by the same
  generator), so over a chapter (the quiz tab shows one at a time) and over the bank every position holds the answer
  about n/k times and "always pick position i" scores about 1/k;
- the distractors fill the other positions in an order drawn from a generator seeded from (seed, id, item).

The order does not depend on the language (en and zh list the same choices in the same order), so switching language
keeps what a learner sees. Pure: no Streamlit, no global RNG.
"""

from __future__ import annotations

import functools
import random
import tomllib
from pathlib import Path

from engine.core.errors import InputError
from engine.interview import curriculum as cur

QA_DIR = Path(__file__).resolve().parents[2] / "assets" / "qa"


@functools.lru_cache(maxsize=4)
def _bank(lang: str) -> dict[str, list[dict]]:
    """id -> its quiz items, from assets/qa/<lang>/*.toml."""
    out: dict[str, list[dict]] = {}
    for path in sorted((QA_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            for qid, entry in tomllib.load(f).items():
                out[qid] = list(entry.get("quiz", []))
    return out


@functools.lru_cache(maxsize=64)
def _deal(seed: int) -> dict[tuple[str, int], tuple[int, ...]]:
    """(id, item) -> permutation: shown position p holds the file's choice perm[p]. One deal of the bank per seed."""
    bank = _bank("en")
    items = [(e.chapter, e.id, i, q) for e in cur.entries() for i, q in enumerate(bank.get(e.id, []))]
    rng = random.Random(f"quiz-deal:{seed}")
    rng.shuffle(items)
    in_chapter: dict[tuple[str, int, int], int] = {}  # (chapter, choices, position) -> answers placed there so far
    in_bank: dict[tuple[int, int], int] = {}  # (choices, position) -> the same over the whole bank
    out = {}
    for chapter, qid, i, q in items:
        k, answer = len(q["choices"]), int(q["answer"])

        def load(p, chapter=chapter, k=k):
            return in_chapter.get((chapter, k, p), 0), in_bank.get((k, p), 0)

        least = min(load(p) for p in range(k))
        pos = rng.choice([p for p in range(k) if load(p) == least])
        in_chapter[(chapter, k, pos)] = load(pos)[0] + 1
        in_bank[(k, pos)] = load(pos)[1] + 1
        others = [c for c in range(k) if c != answer]
        random.Random(f"quiz-item:{seed}:{qid}:{i}").shuffle(others)
        out[(qid, i)] = tuple(others[:pos] + [answer] + others[pos:])
    return out


def permutation(qid: str, item: int, seed: int) -> tuple[int, ...]:
    """The shown order of item `item` of question `qid` for this seed (indices into the file's choices)."""
    if qid not in cur.by_id():
        raise InputError("quiz.unknown_id", f"no question {qid!r}")
    deal = _deal(int(seed))
    if (qid, item) not in deal:
        raise InputError("quiz.unknown_item", f"{qid} has no quiz item {item}")
    return deal[(qid, item)]


def quiz_choices(qid: str, item: int, seed: int, lang: str) -> tuple[list[str], int]:
    """The choices of item `item` (0-based) of question `qid` as shown to a learner with this seed, and the index of
    the right one among them."""
    perm = permutation(qid, item, seed)
    q = _bank("zh" if lang == "zh" else "en")[qid][item]
    return [q["choices"][c] for c in perm], perm.index(int(q["answer"]))


def file_index(qid: str, item: int, seed: int, shown: int) -> int:
    """The file's index of the choice shown at position `shown` (to store what was picked in a seed-free form)."""
    return permutation(qid, item, seed)[shown]
